/**
 * Every attempt of a write against a database that is not the sandbox is confirmed by
 * typing its name: `r` on a succeeded write, a run after an edit, a visit after going back.
 * A re-check after the last cell walks back to the end without offering settled writes,
 * and an edited write runs its edit on every later attempt. Real pty, real PostgreSQL.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTranscript } from '../src/engine/transcript.js';
import type { RunEvent } from '../src/engine/events.js';
import { freshDatabase, query } from './support/database.js';
import { KEYS, startConsole, type PtyRun } from './support/pty.js';

function drill(): { runbook: string; editor: string } {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-attempts-'));
  const runbook = join(dir, 'writes.md');
  writeFileSync(
    runbook,
    [
      '# Write drill',
      '',
      '## Diagnose',
      '',
      '```sql {name=diag}',
      'SELECT count(*) AS n FROM t;',
      '```',
      '',
      '## Fix',
      '',
      '```sql {name=fix}',
      "INSERT INTO t (note) VALUES ('original');",
      '```',
      '',
      '## Verify',
      '',
      '```sql {name=verify}',
      'SELECT count(*) AS n FROM t;',
      '```',
      '',
    ].join('\n'),
  );
  // A stand-in for a person in $EDITOR.
  const editor = join(dir, 'editor.sh');
  writeFileSync(editor, `#!/bin/sh\nsed -i "s/'original'/'edited'/" "$1"\n`);
  chmodSync(editor, 0o755);
  return { runbook, editor };
}

async function target(prefix: string): Promise<{ db: string; name: string }> {
  const db = await freshDatabase(prefix);
  await query(db, 'CREATE TABLE t (id serial, note text)');
  return { db, name: `${new URL(db).pathname.slice(1)}@${new URL(db).hostname}` };
}

async function confirm(tui: PtyRun, name: string): Promise<void> {
  await tui.waitFor(`Type ${name} to confirm`);
  tui.write(name);
  tui.write(KEYS.enter);
}

/** After the last cell: g selects the cell by number. */
async function selectAtEnd(tui: PtyRun, number: number, row: RegExp): Promise<void> {
  tui.write('g');
  tui.write(String(number));
  tui.write(KEYS.enter);
  await tui.waitFor(row);
}

const notes = async (db: string) => (await query<{ note: string }>(db, 'SELECT note FROM t ORDER BY id')).map((r) => r.note);

describe('a write in the console, attempt by attempt', () => {
  it('asks for the typed confirmation on r, and a re-check after the last cell never runs a settled write again', async () => {
    const { db, name } = await target('attempts');
    const { runbook } = drill();
    const { tui, transcript } = startConsole(runbook, { name: 'attempts', db, cols: 110, rows: 32 });
    try {
      await tui.waitFor(/› +1 · diag pending/);
      await tui.waitFor('enter run');
      tui.write(KEYS.enter);
      await tui.waitFor(/› +2 · fix pending/);
      tui.write(KEYS.enter);
      await confirm(tui, name);
      await tui.waitFor(/› +3 · verify pending/);
      tui.write(KEYS.enter);
      await tui.waitFor('all cells done · enter ends the run');

      // Re-check the diagnostic: the walk goes back to the end, past the settled write.
      await selectAtEnd(tui, 1, /› +1 ✓ diag succeeded/);
      tui.write('r');
      await tui.waitFor(/diag succeeded in .* · attempt 2/, { history: true });
      await tui.waitFor('all cells done · enter ends the run');
      expect(tui.screen.text()).not.toContain('Type ');
      expect(await notes(db)).toEqual(['original']);

      // r on the succeeded write is a second write: typed again.
      await selectAtEnd(tui, 2, /› +2 ✓ fix succeeded/);
      tui.write('r');
      await confirm(tui, name);
      await tui.waitFor(/fix succeeded in .* · attempt 2/, { history: true });
      await tui.waitFor('all cells done · enter ends the run');
      tui.write(KEYS.enter);
      expect(await tui.exited).toBe(0);
    } finally {
      tui.kill();
    }
    expect(await notes(db)).toEqual(['original', 'original']);
    const events = (await readTranscript(transcript)).events as RunEvent[];
    const trail = events.flatMap((e) => {
      if (e.type === 'cell.started') return [`start ${e.cell}#${e.attempt}`];
      if (e.type === 'operator.decision' && e.action === 'confirm') return [`confirm ${e.cell}`];
      return [];
    });
    expect(trail).toEqual(['start diag#1', 'confirm fix', 'start fix#1', 'start verify#1', 'start diag#2', 'confirm fix', 'start fix#2']);
  }, 120_000);

  it('runs an edited write as edited on every later attempt, each one confirmed', async () => {
    const { db, name } = await target('edits');
    const { runbook, editor } = drill();
    const { tui, transcript } = startConsole(runbook, { name: 'edits', db, cols: 110, rows: 32, env: { EDITOR: editor, VISUAL: '' } });
    try {
      await tui.waitFor(/› +1 · diag pending/);
      await tui.waitFor('enter run');
      tui.write(KEYS.enter);
      await tui.waitFor(/› +2 · fix pending/);
      tui.write('e');
      await tui.waitFor("VALUES ('edited')");
      tui.write(KEYS.enter);
      await confirm(tui, name);
      await tui.waitFor(/› +3 · verify pending/);
      // Back to the write with r: the edit, confirmed again.
      tui.write(KEYS.up);
      await tui.waitFor(/› +2 ✓ fix succeeded/);
      tui.write('r');
      await confirm(tui, name);
      await tui.waitFor(/fix succeeded in .* · attempt 2/, { history: true });
      await tui.waitFor(/› +3 · verify pending/);
      await tui.waitFor('enter run');
      tui.write(KEYS.enter);
      await tui.waitFor('all cells done · enter ends the run');
      // And after the last cell, once more.
      await selectAtEnd(tui, 2, /› +2 ✓ fix succeeded/);
      tui.write('r');
      await confirm(tui, name);
      await tui.waitFor(/fix succeeded in .* · attempt 3/, { history: true });
      await tui.waitFor('all cells done · enter ends the run');
      tui.write(KEYS.enter);
      expect(await tui.exited).toBe(0);
    } finally {
      tui.kill();
    }
    expect(await notes(db)).toEqual(['edited', 'edited', 'edited']);
    const events = (await readTranscript(transcript)).events as RunEvent[];
    const fixes = events.filter((e): e is Extract<RunEvent, { type: 'cell.started' }> => e.type === 'cell.started' && e.cell === 'fix');
    expect(fixes.map((e) => e.source.trim())).toEqual(Array(3).fill("INSERT INTO t (note) VALUES ('edited');"));
    expect(events.filter((e) => e.type === 'operator.decision' && e.action === 'confirm')).toHaveLength(3);
  }, 120_000);

  it('rehearses the write at its confirmation with tab: says what it would do, changes nothing, and the question stands', async () => {
    const { db, name } = await target('rehearse');
    const { runbook } = drill();
    const { tui, transcript } = startConsole(runbook, { name: 'rehearse', db, cols: 110, rows: 32 });
    try {
      await tui.waitFor(/› +1 · diag pending/);
      await tui.waitFor('enter run');
      tui.write(KEYS.enter);
      await tui.waitFor(/› +2 · fix pending/);
      tui.write(KEYS.enter);
      await tui.waitFor(`Type ${name} to confirm`);
      await tui.waitFor('tab rehearses it');
      tui.write('\t');
      await tui.waitFor('rehearsal: INSERT would add 1 row');
      await tui.waitFor('rehearsal: rolled back; nothing was changed');
      expect(await notes(db)).toEqual([]);
      expect(tui.screen.text()).toContain(`Type ${name} to confirm`);
      tui.write(KEYS.escape);
      await tui.waitFor(/› +3 · verify pending/);
      await tui.waitFor('enter run');
      tui.write('q');
      await tui.waitFor('Quit the run? (y/n)');
      tui.write('y');
      await tui.exited;
    } finally {
      tui.kill();
    }
    expect(await notes(db)).toEqual([]);
    const events = (await readTranscript(transcript)).events as RunEvent[];
    expect(events.filter((e) => e.type === 'sql.rehearsal')).toEqual([expect.objectContaining({ cell: 'fix', statements: [expect.objectContaining({ command: 'INSERT', rowCount: 1 })] })]);
    expect(events.filter((e) => e.type === 'cell.started' && e.cell === 'fix')).toEqual([]);
  }, 120_000);
});
