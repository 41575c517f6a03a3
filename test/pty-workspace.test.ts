/**
 * The console as a workspace, at 80×24 in a pseudo-terminal with a real PostgreSQL: the
 * finished cell you select shows its result (PgUp / PgDn scroll it); a running cell's
 * clock ticks against its timeout; ctrl-c cancels the running statement on the server
 * and the console stays, and with nothing running asks before it quits; a long stderr
 * line wraps, every character on screen.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/engine/events.js';
import { readTranscript } from '../src/engine/transcript.js';
import { freshDatabase, query } from './support/database.js';
import { KEYS, runWhenAsked, startConsole } from './support/pty.js';

const PAGE_DOWN = '\u001b[6~';
const PAGE_UP = '\u001b[5~';
const flat = (text: string) => text.replace(/\s+/g, ' ');
const rowsShown = (screen: string) => [...screen.matchAll(/^\s*(\d+) \| value-\1\b/gm)].map((m) => Number(m[1]));

describe('the console as a workspace, 80×24', () => {
  it('shows a finished cell\'s result, ticks a running one, cancels with ctrl-c, wraps a long error', async () => {
    const db = await freshDatabase('workspace');
    const { tui, transcript } = startConsole('test/fixtures/tui/workspace.md', { name: 'workspace', db, cols: 80, rows: 24 });
    try {
      await runWhenAsked(tui, /› +1 · many-rows pending/);
      // The console moves on to the slow cell; the result stays one key away.
      await tui.waitFor(/› +2 · slow pending/);
      tui.write(KEYS.up);
      await tui.waitFor(/› +1 ✓ many-rows succeeded/);
      await tui.waitFor('PgUp/PgDn scroll');
      let shown = rowsShown(tui.screen.text());
      expect(shown.length).toBeGreaterThanOrEqual(10);
      expect(shown[0]).toBe(1);
      expect(tui.screen.text()).toMatch(/r run again · o output/);
      expect(tui.screen.text()).not.toContain('enter run · s skip');
      tui.write(PAGE_DOWN);
      await tui.waitFor(/^\s*\d+ \| value-\d+/m);
      await tui.waitFor(/lines (?!1–)\d+–/);
      shown = rowsShown(tui.screen.text());
      expect(shown[0]).toBeGreaterThan(1);
      for (let i = 0; i < 6; i += 1) tui.write(PAGE_DOWN);
      await tui.waitFor('(40 rows)');
      expect(rowsShown(tui.screen.text())).toContain(40);
      tui.write(PAGE_UP);
      await tui.waitFor(/lines \d+–\d+ of \d+/);

      // The slow cell: its clock ticks against its timeout; ctrl-c cancels it on the server.
      tui.write(KEYS.down);
      await runWhenAsked(tui, /› +2 · slow pending/);
      await tui.waitFor(/slow · sql · line \d+ · running 0:(0[1-9]|[1-5]\d) \/ timeout 1:30/, { timeoutMs: 30_000 });
      const first = /running (\d+:\d\d) \//.exec(tui.screen.text())?.[1];
      await tui.waitFor(new RegExp(`running (?!${first} )\\d+:\\d\\d /`), { timeoutMs: 30_000 });
      expect(await query(db, "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()")).toHaveLength(1);
      tui.write(KEYS.ctrlC);
      await tui.waitFor(/› +2 ⊘ slow cancelled/);
      await tui.waitFor('r retry · e edit');
      expect(await query(db, "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()")).toHaveLength(0);

      // Nothing running: ctrl-c asks; n stays.
      tui.write(KEYS.ctrlC);
      await tui.waitFor('Quit the run? (y/n');
      tui.write('n');
      await tui.waitFor('r retry · e edit');

      // The long stderr line wraps in the pane: its end is on screen.
      tui.write(KEYS.enter);
      await runWhenAsked(tui, /› +3 · long-error pending/);
      await tui.waitFor(/› +3 ✗ long-error failed/);
      await tui.waitFor('END-OF-ERR');
      expect(flat(tui.screen.text())).toContain('(ModuleNotFoundError: No module named tools) while running the gate END-OF-ERR');
      // ctrl-c with nothing running asks; a second ctrl-c at that question quits (a cell failed: exit 1).
      tui.write(KEYS.ctrlC);
      await tui.waitFor('Quit the run? (y/n; ctrl-c again quits)');
      tui.write(KEYS.ctrlC);
      expect(await tui.exited).toBe(1);
    } finally {
      tui.kill();
    }
    const events = (await readTranscript(transcript)).events as RunEvent[];
    expect(events.find((e) => e.type === 'cell.finished' && e.cell === 'slow')).toMatchObject({ status: 'cancelled' });
    expect(events.find((e) => e.type === 'run.finished')).toMatchObject({ status: 'aborted' });
  });
});
