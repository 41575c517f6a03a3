/**
 * Ad-hoc cells in the console at 80×24, against a real non-sandbox PostgreSQL: `a` opens a
 * prompt, the typed query runs as a cell of its own (in the outline after the cell it was
 * made at, on record with `adhoc` and its source), and a write typed there is guarded like
 * any: the target's name must be typed.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/engine/events.js';
import { readTranscript } from '../src/engine/transcript.js';
import { freshDatabase, query } from './support/database.js';
import { KEYS, endRun, startConsole } from './support/pty.js';

const CLI = resolve(import.meta.dirname, '..', 'bin', 'runbook.js');
const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('ad-hoc cells, 80×24', () => {
  it('runs a typed query as its own recorded cell, and asks for the typed confirmation before an ad-hoc write', async () => {
    const db = await freshDatabase('adhoc');
    await query(db, "CREATE TABLE jobs (id int, status text); INSERT INTO jobs VALUES (1, 'stuck'), (2, 'stuck')");
    const targetName = `${new URL(db).pathname.slice(1)}@${new URL(db).hostname}`;
    const { tui, transcript } = startConsole('test/fixtures/tui/adhoc.md', { name: 'adhoc', db, cols: 80, rows: 24 });
    try {
      await tui.waitFor(/› +1 · first-look pending/);
      await tui.waitFor('a ad-hoc');
      tui.write('a');
      await tui.waitFor(`Ad-hoc SQL at first-look against ${targetName}:`);
      // psql's rule: enter without a ; continues the query on a new line.
      tui.write('SELECT 42');
      tui.write(KEYS.enter);
      tui.write('AS adhoc_answer;');
      await tui.waitFor('AS adhoc_answer;');
      tui.write(KEYS.enter);
      await tui.waitFor(/› +2 ✓ adhoc-1 succeeded/);
      await tui.waitFor(/^\s+42\s*$/m);
      expect(tui.screen.text()).toContain('adhoc_answer');
      await tui.waitFor('AD-HOC');
      // The console still asks about first-look; enter goes back to it.
      await tui.waitFor('enter back to first-look');
      tui.write(KEYS.enter);
      await tui.waitFor(/› +1 · first-look pending/);
      await tui.waitFor('enter run · s skip');

      // A write typed ad hoc against a database that is not the sandbox: the target's name, typed.
      tui.write('a');
      await tui.waitFor('Ad-hoc SQL at first-look');
      tui.write("UPDATE jobs SET status = 'retried' WHERE status = 'stuck';");
      tui.write(KEYS.enter);
      await tui.waitFor('enter confirms');
      expect(flat(tui.screen.text())).toContain(`adhoc-2 writes to ${targetName}. Type ${targetName} to confirm:`);
      // On screen while the name is typed: the ad-hoc cell, its source, and that it writes.
      expect(tui.screen.text()).toMatch(/adhoc-2 · sql · line \d+ · pending · AD-HOC · WRITES/);
      expect(tui.screen.text()).toContain("UPDATE jobs SET status = 'retried' WHERE status = 'stuck';");
      expect(await query(db, "SELECT count(*)::int AS n FROM jobs WHERE status = 'retried'")).toEqual([{ n: 0 }]);
      tui.write(targetName);
      tui.write(KEYS.enter);
      await tui.waitFor(/✓ adhoc-2 succeeded/);
      await tui.waitFor('UPDATE 2');
      expect(await query(db, "SELECT count(*)::int AS n FROM jobs WHERE status = 'retried'")).toEqual([{ n: 2 }]);

      tui.write(KEYS.enter);
      await tui.waitFor('enter run · s skip');
      tui.write(KEYS.enter);
      await tui.waitFor(/› +4 · second pending/);
      await tui.waitFor('enter run · s skip');
      tui.write(KEYS.enter);
      expect(await endRun(tui)).toBe(0);
    } finally {
      tui.kill();
    }
    const events = (await readTranscript(transcript)).events as RunEvent[];
    const started = events.filter((e): e is Extract<RunEvent, { type: 'cell.started' }> => e.type === 'cell.started');
    expect(started.map((e) => [e.cell, e.adhoc ?? false, e.at ?? ''])).toEqual([
      ['adhoc-1', true, 'first-look'],
      ['adhoc-2', true, 'first-look'],
      ['first-look', false, ''],
      ['second', false, ''],
    ]);
    expect(started[0]?.source).toBe('SELECT 42\nAS adhoc_answer;');
    expect(events.find((e) => e.type === 'sql.result' && e.cell === 'adhoc-1')).toMatchObject({ columns: ['adhoc_answer'], rows: [['42']] });
    expect(events.find((e) => e.type === 'operator.decision' && e.cell === 'adhoc-2')).toMatchObject({ action: 'confirm', by: 'typed' });
    // Ad-hoc cells are the operator's, not the runbook's: the run's counts are its own cells'.
    expect(events.find((e) => e.type === 'run.finished')).toMatchObject({ status: 'succeeded', counts: { succeeded: 2 } });

    // The timeline lists them; --format adhoc prints them as fences to paste into the runbook.
    expect(execFileSync(process.execPath, [CLI, 'timeline', transcript], { encoding: 'utf8' })).toContain('adhoc-1');
    const fences = execFileSync(process.execPath, [CLI, 'timeline', '--format', 'adhoc', transcript], { encoding: 'utf8' });
    expect(fences).toMatch(/^<!-- adhoc-1: typed at first-look by alice, \d{4}-\d\d-\d\d \d\d:\d\d UTC, succeeded -->\n```sql\nSELECT 42\nAS adhoc_answer;\n```\n/);
    expect(fences).toContain("```sql\nUPDATE jobs SET status = 'retried' WHERE status = 'stuck';\n```");
  });
});
