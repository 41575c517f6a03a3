/**
 * Group commit: a write's cell.started is synced before its first line runs and its
 * cell.finished before the next cell starts; a read's boundaries share a later sync, yet a
 * kill -9 never loses them (every event is written before the run goes on). Real bash, a
 * real transcript; the spy only watches node:fs (order of calls, never timing).
 */
import * as fs from 'node:fs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

/** Transcript lines written and syncs made, in the order the writer made them. */
const calls: string[] = [];
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  return {
    ...real,
    writeSync: (...args: Parameters<typeof real.writeSync>) => {
      const data = args[1];
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
      const event = text.startsWith('{"v":1') ? (JSON.parse(text) as { type: string; cell?: string }) : undefined;
      if (event) calls.push(`${event.type}${event.cell ? ` ${event.cell}` : ''}`);
      return (real.writeSync as (...a: unknown[]) => number)(...args);
    },
    fdatasyncSync: (fd: number) => {
      calls.push('sync');
      real.fdatasyncSync(fd);
    },
  };
});

const { parseRunbook } = await import('../src/engine/parse.js');
const { Runner } = await import('../src/engine/runner.js');
const { TranscriptWriter, verifyTranscript } = await import('../src/engine/transcript.js');
const { mustSync } = await import('../src/engine/transcript/writer.js');
const { noTarget, parseLines, postgresTarget, runEach, scriptedOperator, startCli, tempDir } = await import('./runner-support.js');
const { freshDatabase, query } = await import('./support/database.js');

describe('mustSync', () => {
  it("syncs a write's boundaries and lets a read's wait; an event nobody labelled syncs as a write's", () => {
    expect(['cell.started', 'cell.finished'].map((type) => mustSync(type, 0, 'write'))).toEqual([true, true]);
    expect(['cell.started', 'cell.finished'].map((type) => mustSync(type, 0, undefined))).toEqual([true, true]);
    expect(['cell.started', 'cell.finished', 'operator.decision', 'cell.output'].map((type) => mustSync(type, 0, 'read'))).toEqual([false, false, false, false]);
    // A decision about running a write rides on that write's synced cell.started.
    expect([mustSync('operator.decision', 0, 'write'), mustSync('operator.decision', 0, undefined)]).toEqual([false, true]);
    for (const type of ['run.started', 'run.resumed', 'sql.transaction', 'operator.note', 'checklist.ticked', 'run.finished']) {
      expect(mustSync(type, 0, 'read'), type).toBe(true);
    }
    expect(mustSync('cell.finished', 1000, 'read')).toBe(true);
    // A write whose executor syncs its own record first (SQL's sql.transaction): its start rides on that sync, its end does not.
    expect(['cell.started', 'cell.finished'].map((type) => mustSync(type, 0, 'write, recorded first'))).toEqual([false, true]);
  });
});

describe('group commit in a run', () => {
  it("syncs a write's cell.started before its first line and its cell.finished before the next cell.started", async () => {
    const runbook = parseRunbook(
      [
        '# Group commit',
        '',
        '```bash {name=read-one readonly}',
        'echo one',
        '```',
        '',
        '```bash {name=the-write}',
        'echo two',
        '```',
        '',
        '```bash {name=read-three readonly}',
        'echo three',
        '```',
        '',
      ].join('\n'),
      'group-commit.md',
    );
    const path = join(tempDir(), 't.jsonl');
    const transcript = TranscriptWriter.open(path);
    calls.length = 0;
    const runner = new Runner({ runbook, operator: scriptedOperator(runEach), target: noTarget, mode: 'unattended', variables: [], actor: 'tester', argv: [], transcript });
    const summary = await runner.run();
    transcript.close();
    expect(summary.status).toBe('succeeded');
    expect(await verifyTranscript(path)).toMatchObject({ ok: true });

    const at = (entry: string) => calls.indexOf(entry);
    // The write: its start on disk before anything of it (its output) is written, its end before the next cell starts.
    expect(calls[at('cell.started the-write') + 1]).toBe('sync');
    expect(calls[at('cell.finished the-write') + 1]).toBe('sync');
    expect(at('cell.started read-three')).toBeGreaterThan(at('cell.finished the-write') + 1);
    // Everything before the write, the reads' records included, is on disk by the write's first line.
    const lastSyncBeforeWrite = calls.lastIndexOf('sync', at('cell.started the-write') + 1);
    expect(calls.slice(0, lastSyncBeforeWrite).filter((c) => c !== 'sync')).toContain('cell.finished read-one');
    // And the run's end syncs what the last read left.
    expect(calls.slice(-2)).toEqual(['run.finished', 'sync']);
  }, 60_000);

  it("a SQL write's cell.started shares the sync of its sql.transaction, which comes before its statement runs", async () => {
    const url = await freshDatabase();
    await query(url, 'CREATE TABLE t (id int)');
    const runbook = parseRunbook(['# SQL write', '', '```sql {name=the-read}', 'SELECT 1;', '```', '', '```sql {name=the-write}', 'INSERT INTO t VALUES (1);', '```', ''].join('\n'), 'sql-write.md');
    const path = join(tempDir(), 't.jsonl');
    const transcript = TranscriptWriter.open(path);
    calls.length = 0;
    const runner = new Runner({ runbook, operator: scriptedOperator(runEach), target: postgresTarget(url), mode: 'unattended', allowWrites: true, variables: [], actor: 'tester', argv: [], transcript });
    const summary = await runner.run();
    transcript.close();
    expect(summary.status).toBe('succeeded');
    expect(await verifyTranscript(path)).toMatchObject({ ok: true });
    const at = (entry: string) => calls.indexOf(entry);
    // Written at once, synced with the record that follows it before the INSERT is sent (its result comes after that sync).
    expect(calls.slice(at('cell.started the-write'), at('sql.result the-write'))).toEqual(['cell.started the-write', 'sql.transaction the-write', 'sync']);
    expect(calls[at('cell.finished the-write') + 1]).toBe('sync');
    expect(await query(url, 'SELECT id FROM t')).toEqual([{ id: 1 }]);
  }, 60_000);

  it('kill -9 right after a read finished: its cell.finished is in the file', async () => {
    const dir = tempDir('runbook-group-commit-');
    const runbook = join(dir, 'read-then-wait.md');
    const marker = join(dir, 'second-started');
    writeFileSync(
      runbook,
      ['# Read, then wait', '', '```bash {name=the-read readonly}', 'echo read done', '```', '', '```bash {name=waits readonly}', `touch '${marker}'`, 'echo waiting', 'sleep 30', '```', ''].join('\n'),
    );
    const transcript = join(dir, 'run.jsonl');
    const run = startCli(['run', runbook, '--yes', '--json', '--transcript', transcript], { env: { RUNBOOK_DATABASE_URL: '' } });
    await run.waitFor(/"type":"cell.output".*"data":"waiting/, 60_000);
    run.child.kill('SIGKILL');
    await run.exited;
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(events.find((e) => e.type === 'cell.finished' && e.cell === 'the-read')).toMatchObject({ status: 'succeeded' });
    expect(events.find((e) => e.type === 'cell.started' && e.cell === 'waits')).toBeDefined();
  }, 90_000);
});
