/**
 * Values asked when they can be known: in the console a cell's values are asked when the
 * operator runs that cell (its pane says which), and esc at the prompt skips that cell, not
 * the run. The real CLI in a pseudo-terminal.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/engine/events.js';
import { onPath } from '../src/engine/process/which.js';
import { freshDatabase } from './support/database.js';
import { parseLines } from './runner-support.js';
import { KEYS, quitConsole, runWhenAsked, startConsole } from './support/pty.js';

const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('values asked at the cell that uses them', () => {
  it('asks <GOOD_SHA> only at Rollback; esc there skips Rollback and the run goes on', async () => {
    const { tui, transcript } = startConsole('test/fixtures/tui/late-values.md', { name: 'late-values', cols: 100, rows: 30 });
    try {
      await runWhenAsked(tui, /› +1 · contain pending/);
      await tui.waitFor(/› +2 · rollback pending/);
      await tui.waitFor('enter run · s skip');
      expect(tui.raw()).not.toContain('Value for');
      expect(flat(tui.screen.text())).toContain('asks for <GOOD_SHA> <timestamp> when it runs');
      tui.write(KEYS.enter);
      await tui.waitFor('Value for <GOOD_SHA>:');
      expect(flat(tui.screen.text())).toContain('enter gives the value · esc skips rollback');
      tui.write('abc1234');
      tui.write(KEYS.enter);
      await tui.waitFor('Value for <timestamp>:');
      tui.write(KEYS.escape);
      // Skipped, not the run: the next cell is asked about.
      await runWhenAsked(tui, /› +3 · verify pending/);
      await tui.waitFor('enter ends the run');
      tui.write(KEYS.enter);
      expect(await tui.exited).toBe(0);
    } finally {
      tui.kill();
    }
    const events: RunEvent[] = parseLines(readFileSync(transcript, 'utf8'));
    const finished = events.flatMap((e) => (e.type === 'cell.finished' ? [[e.cell, e.status, e.reason ?? '']] : []));
    expect(finished).toEqual([
      ['contain', 'succeeded', ''],
      ['rollback', 'skipped', 'no value for <timestamp>'],
      ['verify', 'succeeded', ''],
    ]);
    // GOOD_SHA was given at Rollback, after Containment had run.
    const order = events.map((e) => (e.type === 'variable.bound' ? `bound:${e.name}` : e.type === 'cell.finished' ? `done:${e.cell}` : '')).filter(Boolean);
    expect(order).toEqual(['done:contain', 'bound:GOOD_SHA', 'done:rollback', 'done:verify']);
  });

  it.runIf(onPath('pwsh'))('runbooks/dragonfly.md: nothing is asked before Rollback; there <GOOD_SHA> is, and esc skips Rollback alone', async () => {
    const db = await freshDatabase('late');
    const { tui, transcript } = startConsole('runbooks/dragonfly.md', { name: 'late-dragonfly', db, cols: 100, rows: 30, env: { SUPABASE_DB_URL: '', GOOD_SHA: '', timestamp: '' } });
    try {
      for (const cell of ['1-immediate-containment-2-min', '2-diagnostics-sql-run-against-prod', 'env-hygiene', 'apply-missing-grants-rls']) {
        await tui.waitFor(new RegExp(`${cell} · (powershell|sql)`), { timeoutMs: 60_000 });
        await tui.waitFor('enter run · s skip');
        expect(tui.raw()).not.toContain('Value for');
        tui.write('s');
        await tui.waitFor(`Skip ${cell}. Reason (optional):`);
        tui.write(KEYS.enter);
      }
      await tui.waitFor(/rollback-if-bad-deploy · powershell/);
      await tui.waitFor('enter run · s skip');
      expect(flat(tui.screen.text())).toContain('asks for <GOOD_SHA> <timestamp> when it runs');
      tui.write(KEYS.enter);
      await tui.waitFor('Value for <GOOD_SHA>:');
      tui.write(KEYS.escape);
      await tui.waitFor(/release-stuck-jobs · sql/);
      await tui.waitFor('enter run · s skip');
      expect(await quitConsole(tui)).toBe(0);
    } finally {
      tui.kill();
    }
    const events: RunEvent[] = parseLines(readFileSync(transcript, 'utf8'));
    expect(events.find((e) => e.type === 'cell.finished' && e.cell === 'rollback-if-bad-deploy')).toMatchObject({ status: 'skipped', reason: 'no value for <GOOD_SHA>, <timestamp>' });
    expect(events.filter((e) => e.type === 'variable.bound')).toEqual([]);
  }, 120_000);
});
