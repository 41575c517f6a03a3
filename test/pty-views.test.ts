/**
 * What will run and what came back, whole, at 80×24 in a pseudo-terminal: the real CLI, a
 * real PostgreSQL, real bash, real `less -S`. `v` shows the whole source with values in
 * place (the secret masked) and listed; a table too wide for the screen is expanded and
 * `o` pages it at full width; a fixed cell's scrollback shows only its last attempt; jump
 * by number or part of a name; after the last cell `r` runs a cell again, and cells
 * already settled are not recorded again.
 */
import { delimiter, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/engine/events.js';
import { readTranscript } from '../src/engine/transcript.js';
import { freshDatabase } from './support/database.js';
import { KEYS, startConsole } from './support/pty.js';

const ROOT = resolve(import.meta.dirname, '..');
const flat = (text: string) => text.replace(/\s+/g, ' ');
// No pwsh here, whatever this machine has: the PowerShell cell is skipped by rule.
const PATH = (process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.includes('.dotnet')).join(delimiter);

describe('views in a pseudo-terminal at 80×24', () => {
  it('shows the whole source and the whole result, keeps the last attempt, jumps, and re-runs after the last cell', async () => {
    const db = await freshDatabase('views');
    const args = ['--var', 'GOOD_SHA=abc1234', '--var', 'API_TOKEN=hunter2secret'];
    const env = { PATH, PAGER: 'less -S', LESS: '', EDITOR: join(ROOT, 'test/fixtures/tui/fix-sql.sh'), VISUAL: '' };
    const { tui, transcript } = startConsole('test/fixtures/tui/views.md', { name: 'views', db, args, cols: 80, rows: 24, env });
    try {
      await tui.waitFor('enter run · s skip');
      tui.write(KEYS.enter);
      // Too wide for 80 columns: expanded, and said so above the table.
      await tui.waitFor('-[ RECORD 1 ]', { history: true });
      let all = tui.screen.all();
      expect(all).toMatch(/\(expanded: \d+ columns do not fit in 80; o pages the table whole\)/);
      expect(all).toMatch(/updated_at +\| 2026-11-28 19:40:02\+00/);
      expect(all).toMatch(/job_type +\| nightly-reconcile-ledger/);

      // The source is longer than the pane: v shows all of it, the value in place, the secret masked.
      await tui.waitFor(/› +2 · long-source pending/);
      await tui.waitFor('v shows the whole source');
      tui.write('v');
      await tui.waitFor('whole source · lines 1–');
      for (let i = 0; i < 20; i += 1) tui.write(KEYS.down);
      await tui.waitFor('END-OF-LONG-LINE');
      // Twenty queued ↓ keys may still be arriving under load: wait for the bottom of the view.
      await tui.waitFor('<API_TOKEN> = ******** (secret)');
      const screen = tui.screen.text();
      expect(screen).toContain('echo "deploy --commit abc1234"');
      expect(screen).toContain('echo "token ********" > /dev/null');
      expect(screen).toContain('<GOOD_SHA> = abc1234 (from flag)');
      expect(screen).toContain('<API_TOKEN> = ******** (secret)');
      expect(tui.raw()).not.toContain('hunter2secret');
      tui.write('v');
      await tui.waitFor('enter run · s skip');

      // o: the finished table whole, in less -S; → scrolls to the columns the screen had no room for.
      tui.write(KEYS.up);
      await tui.waitFor(/› +1 ✓ wide-rows succeeded/);
      tui.write('o');
      await tui.waitFor(/ id \| +job_type +\|/);
      expect(tui.screen.text()).not.toContain('RECORD 1');
      tui.write('\u001bOC'); // → as less's keypad mode sends it
      await tui.waitFor('updated_at');
      tui.write('q');
      await tui.waitFor('back from the pager (wide-rows)');

      tui.write(KEYS.down);
      tui.write(KEYS.enter);
      await tui.waitFor(/› +3 · broken pending/);
      await tui.waitFor('enter run · s skip');
      tui.write(KEYS.enter);
      await tui.waitFor('SQLSTATE 42P01');
      await tui.waitFor('r retry · e edit');
      tui.write('e');
      await tui.waitFor('FROM (SELECT 1 AS fixed) AS t');
      tui.write(KEYS.enter);
      // Fixed: the scrollback holds the last attempt only.
      await tui.waitFor('✓ broken succeeded', { history: true });
      await tui.waitFor(/› +5 · verify pending/);
      all = tui.screen.all();
      expect(all).not.toContain('42P01');
      expect(all).toMatch(/✓ broken succeeded in .* · attempt 2/);
      expect(all).toMatch(/↷ ps-missing skipped \(pwsh not found\)/);

      // Jump by part of a name: more than one match lists the candidates; a number is unique.
      tui.write('g');
      tui.write('e');
      await tui.waitFor('→');
      expect(flat(tui.screen.text())).toMatch(/→ 1 wide-rows · 2 long-source · 3 broken/);
      tui.write(KEYS.enter);
      await tui.waitFor('cells match; type more');
      tui.write(KEYS.backspace);
      tui.write('4');
      tui.write(KEYS.enter);
      await tui.waitFor(/› +4 ↷ ps-missing skipped/);
      tui.write('g');
      tui.write('verif');
      tui.write(KEYS.enter);
      await tui.waitFor(/› +5 · verify pending/);
      tui.write(KEYS.enter);
      await tui.waitFor('all cells done · enter ends the run');

      // After the last cell: ↑ leaves the checklist, g 1 selects the diagnostics, r runs them again.
      tui.write(KEYS.up);
      await tui.waitFor(/› +5 ✓ verify succeeded/);
      tui.write('g');
      tui.write('1');
      tui.write(KEYS.enter);
      await tui.waitFor(/› +1 ✓ wide-rows succeeded/);
      tui.write('r');
      await tui.waitFor(/wide-rows succeeded in .* · attempt 2/, { history: true });
      // The runner walks on past the settled cells, back to where the operator was: the end.
      await tui.waitFor('all cells done · enter ends the run');
      tui.write(KEYS.enter);
      await tui.waitFor('run incomplete in');
      expect(await tui.exited).toBe(3);
    } finally {
      tui.kill();
    }

    const events = (await readTranscript(transcript)).events as RunEvent[];
    const finished = events.flatMap((e) => (e.type === 'cell.finished' ? [`${e.cell}:${e.status}`] : []));
    expect(finished).toEqual(['wide-rows:succeeded', 'long-source:succeeded', 'broken:failed', 'broken:succeeded', 'ps-missing:skipped', 'verify:succeeded', 'wide-rows:succeeded']);
    const attempts = events.flatMap((e) => (e.type === 'cell.started' ? [`${e.cell}#${e.attempt}`] : []));
    expect(attempts).toEqual(['wide-rows#1', 'long-source#1', 'broken#1', 'broken#2', 'verify#1', 'wide-rows#2']);
    // Every attempt is in the transcript, the failed one too.
    expect(events.find((e) => e.type === 'cell.finished' && e.cell === 'broken' && e.status === 'failed')).toMatchObject({ error: { code: '42P01' } });
  });
});
