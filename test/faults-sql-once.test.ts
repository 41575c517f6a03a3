/**
 * A SQL write runs exactly once across kill -9 and resume, on a real PostgreSQL: the CLI
 * dies while the server goes on, and `resume` asks the server (pg_xact_status, the backend
 * on record) before it runs anything. Three ways the write can be caught: inside its
 * statement, during its COMMIT, and in a cell with its own BEGIN … COMMIT.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyTranscript } from '../src/engine/transcript.js';
import { timelineEntries } from '../src/renderers/timeline-json.js';
import type { CellFinished, SqlTransaction } from '../src/engine/events.js';
import { freshDatabase, query } from './support/database.js';
import { parseLines, runCli, startCli, tempDir } from './runner-support.js';
import { KEYS, spawnCli } from './support/pty.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function writeRunbook(dir: string, sql: string): string {
  const path = join(dir, 'write.md');
  writeFileSync(path, ['# Write once', '', '```sql {name=the-write}', sql, '```', ''].join('\n'));
  return path;
}

async function rows(url: string): Promise<number> {
  return Number((await query<{ n: string }>(url, 'SELECT count(*) AS n FROM t'))[0]?.n);
}

/** Waits until the backend on record runs `pattern` (or, with `gone`, no longer exists). */
async function backend(url: string, pid: number, until: (q: string | undefined) => boolean): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    const found = await query<{ query: string }>(url, 'SELECT query FROM pg_stat_activity WHERE pid = $1', [pid]);
    if (until(found[0]?.query)) return;
    await delay(50);
  }
  throw new Error(`backend ${pid} never reached the expected state`);
}

function events(path: string) {
  return parseLines(readFileSync(path, 'utf8'));
}

/** Starts the run, waits for the write's record, and returns it with the running CLI. */
async function startWrite(url: string, runbook: string, transcript: string) {
  const run = startCli(['run', runbook, '--yes', '--allow-writes', '--json', '--db', url, '--transcript', transcript]);
  await run.waitFor(/"type":"sql.transaction"/);
  const record = events(transcript).find((e): e is SqlTransaction => e.type === 'sql.transaction');
  if (!record) throw new Error('no sql.transaction on disk when it reached stdout');
  return { run, record };
}

let url: string;
beforeAll(async () => {
  url = await freshDatabase('once');
  await query(url, 'CREATE TABLE t (id serial PRIMARY KEY, note text)');
  // A deferred trigger that takes its time, so a COMMIT can be caught in flight.
  await query(url, `CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(3); RETURN NULL; END $$`);
}, 60_000);

describe('kill -9 during a SQL write, then resume', () => {
  it('inside its statement: resume refuses while it runs, then runs it again once it rolled back', async () => {
    await query(url, 'TRUNCATE t');
    const dir = tempDir('runbook-once-');
    const runbook = writeRunbook(dir, "INSERT INTO t (note) SELECT 'once' FROM pg_sleep(5);");
    const transcript = join(dir, 'run.jsonl');
    const { run, record } = await startWrite(url, runbook, transcript);
    expect(record).toMatchObject({ cell: 'the-write', attempt: 1, xid: expect.stringMatching(/^\d+$/) });
    await backend(url, record.pid, (q) => q?.includes('pg_sleep(5)') === true);
    run.child.kill('SIGKILL');
    await run.exited;

    const before = readFileSync(transcript);
    const early = await runCli(['resume', transcript, '--yes', '--allow-writes', '--db', url], { cwd: dir });
    expect(early.code, early.stderr).toBe(2);
    expect(early.stderr).toContain(`backend pid ${record.pid}`);
    expect(early.stderr).toContain(`SELECT pg_cancel_backend(${record.pid})`);
    expect(early.stderr).toContain('pg_sleep(5)');
    expect(readFileSync(transcript).equals(before)).toBe(true);

    await backend(url, record.pid, (q) => q === undefined);
    expect(await rows(url)).toBe(0);
    const late = await runCli(['resume', transcript, '--yes', '--allow-writes', '--db', url], { cwd: dir });
    expect(late.code, late.stderr).toBe(0);
    expect(await rows(url)).toBe(1);
    const finished = events(transcript).filter((e): e is CellFinished => e.type === 'cell.finished');
    expect(finished).toEqual([
      expect.objectContaining({ cell: 'the-write', attempt: 1, status: 'cancelled', evidence: expect.objectContaining({ xactStatus: 'aborted', xid: record.xid }) }),
      expect.objectContaining({ cell: 'the-write', status: 'succeeded' }),
    ]);
    expect(finished[0]?.reason).toMatch(/rolled transaction \d+ back/);
    expect(await verifyTranscript(transcript)).toMatchObject({ ok: true });
    // The timeline says how each attempt ended: the killed one from the server's word.
    const rowsOf = timelineEntries(events(transcript)).filter((e) => e.type === 'cell' && e.step === 'the-write');
    expect(rowsOf.map((e) => e.summary)).toEqual([
      expect.stringMatching(/cancelled: the CLI ended before the write committed; the server rolled transaction \d+ back/),
      expect.stringMatching(/^retried \(attempt 2\).*succeeded/),
    ]);
  }, 90_000);

  it('during its COMMIT: resume refuses while it commits, then records it as succeeded from the server and never runs it again', async () => {
    await query(url, 'TRUNCATE t');
    await query(url, `CREATE CONSTRAINT TRIGGER slow AFTER INSERT ON t DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()`);
    try {
      const dir = tempDir('runbook-once-');
      const runbook = writeRunbook(dir, "INSERT INTO t (note) VALUES ('once');");
      const transcript = join(dir, 'run.jsonl');
      const { run, record } = await startWrite(url, runbook, transcript);
      await backend(url, record.pid, (q) => q === 'COMMIT');
      run.child.kill('SIGKILL');
      await run.exited;

      const early = await runCli(['resume', transcript, '--yes', '--allow-writes', '--db', url], { cwd: dir });
      expect(early.code, early.stderr).toBe(2);
      expect(early.stderr).toContain(`still running on the server: backend pid ${record.pid}, transaction ${record.xid}`);

      await backend(url, record.pid, (q) => q === undefined);
      const late = await runCli(['resume', transcript, '--yes', '--allow-writes', '--db', url], { cwd: dir });
      expect(late.code, late.stderr).toBe(0);
      expect(await rows(url)).toBe(1);
      const all = events(transcript);
      expect(all.filter((e) => e.type === 'cell.started')).toHaveLength(1);
      const finished = all.filter((e): e is CellFinished => e.type === 'cell.finished');
      expect(finished).toEqual([expect.objectContaining({ cell: 'the-write', attempt: 1, status: 'succeeded', evidence: expect.objectContaining({ xactStatus: 'committed', decidedBy: 'server' }) })]);
      expect(finished[0]?.reason).toContain(`transaction ${record.xid} committed`);
      expect(all.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded' });
    } finally {
      await query(url, 'DROP TRIGGER slow ON t');
    }
  }, 90_000);

  it('in a cell that is one BEGIN … COMMIT of its own: its transaction id is on record after its BEGIN, and the server decides', async () => {
    await query(url, 'TRUNCATE t');
    const dir = tempDir('runbook-once-');
    const runbook = writeRunbook(dir, "BEGIN;\nINSERT INTO t (note) SELECT 'once' FROM pg_sleep(5);\nCOMMIT;");
    const transcript = join(dir, 'run.jsonl');
    const run = startCli(['run', runbook, '--yes', '--allow-writes', '--json', '--db', url, '--transcript', transcript]);
    await run.waitFor(/"type":"sql.transaction".*"xid"/);
    const record = events(transcript).filter((e): e is SqlTransaction => e.type === 'sql.transaction').at(-1)!;
    expect(record).toMatchObject({ xid: expect.stringMatching(/^\d+$/), own: 'the cell is one BEGIN … COMMIT of its own' });
    await backend(url, record.pid, (q) => q?.includes('pg_sleep(5)') === true);
    run.child.kill('SIGKILL');
    await run.exited;

    const early = await runCli(['resume', transcript, '--yes', '--allow-writes', '--db', url], { cwd: dir });
    expect(early.code, early.stderr).toBe(2);
    expect(early.stderr).toContain(`transaction ${record.xid}`);
    await backend(url, record.pid, (q) => q === undefined);
    const late = await runCli(['resume', transcript, '--yes', '--allow-writes', '--db', url], { cwd: dir });
    expect(late.code, late.stderr).toBe(0);
    expect(await rows(url)).toBe(1);
    const finished = events(transcript).filter((e): e is CellFinished => e.type === 'cell.finished');
    expect(finished).toEqual([
      expect.objectContaining({ attempt: 1, status: 'cancelled', evidence: expect.objectContaining({ xactStatus: 'aborted', decidedBy: 'server' }) }),
      expect.objectContaining({ status: 'succeeded' }),
    ]);
  }, 90_000);

  it('in a cell with its own transactions and a statement outside them: refuses while its backend runs, then unattended only --rerun-unknown runs it again', async () => {
    await query(url, 'TRUNCATE t');
    const dir = tempDir('runbook-once-');
    // A statement outside its transaction: no one transaction id can tell what the cell did.
    const runbook = writeRunbook(dir, "SELECT 1;\nBEGIN;\nINSERT INTO t (note) SELECT 'once' FROM pg_sleep(5);\nCOMMIT;");
    const transcript = join(dir, 'run.jsonl');
    const { run, record } = await startWrite(url, runbook, transcript);
    expect(record.xid).toBeUndefined();
    expect(record.own).toContain('BEGIN/COMMIT');
    await backend(url, record.pid, (q) => q?.includes('pg_sleep(5)') === true);
    run.child.kill('SIGKILL');
    await run.exited;

    const early = await runCli(['resume', transcript, '--yes', '--allow-writes', '--db', url], { cwd: dir });
    expect(early.code, early.stderr).toBe(2);
    expect(early.stderr).toContain(`SELECT pg_cancel_backend(${record.pid})`);

    await backend(url, record.pid, (q) => q === undefined);
    const before = readFileSync(transcript);
    const unknown = await runCli(['resume', transcript, '--yes', '--allow-writes', '--db', url], { cwd: dir });
    expect(unknown.code, unknown.stderr).toBe(2);
    expect(unknown.stderr).toContain('may or may not have written');
    expect(unknown.stderr).toContain('--rerun-unknown');
    expect(readFileSync(transcript).equals(before)).toBe(true);
    expect(await rows(url)).toBe(0);

    const again = await runCli(['resume', transcript, '--yes', '--allow-writes', '--rerun-unknown', '--db', url], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(await rows(url)).toBe(1);
    const finished = events(transcript).filter((e): e is CellFinished => e.type === 'cell.finished');
    expect(finished).toEqual([
      expect.objectContaining({ attempt: 1, status: 'cancelled', evidence: expect.objectContaining({ xactStatus: 'unknown', decidedBy: 'flag' }) }),
      expect.objectContaining({ status: 'succeeded' }),
    ]);
  }, 120_000);

  it('in the console, a write whose outcome cannot be known is the operator\'s call: asked, then confirmed and run once', async () => {
    await query(url, 'TRUNCATE t');
    const dir = tempDir('runbook-once-');
    const runbook = writeRunbook(dir, "SELECT 1;\nBEGIN;\nINSERT INTO t (note) SELECT 'once' FROM pg_sleep(3);\nCOMMIT;");
    const transcript = join(dir, 'run.jsonl');
    const { run, record } = await startWrite(url, runbook, transcript);
    await backend(url, record.pid, (q) => q?.includes('pg_sleep(3)') === true);
    run.child.kill('SIGKILL');
    await run.exited;
    await backend(url, record.pid, (q) => q === undefined);

    const name = `${new URL(url).pathname.slice(1)}@${new URL(url).hostname}`;
    const tui = spawnCli(['resume', transcript, '--db', url, '--actor', 'alice'], { cols: 110, rows: 30, cwd: dir });
    try {
      await tui.waitFor('Run it again? Check the database first. [y/N]');
      tui.write('y\r');
      await tui.waitFor('enter run', { timeoutMs: 30_000 });
      tui.write(KEYS.enter);
      await tui.waitFor(`Type ${name} to confirm`);
      tui.write(name);
      tui.write(KEYS.enter);
      await tui.waitFor('enter ends the run', { timeoutMs: 30_000 });
      tui.write(KEYS.enter);
      expect(await tui.exited).toBe(0);
    } finally {
      tui.kill();
    }
    expect(await rows(url)).toBe(1);
    const finished = events(transcript).filter((e): e is CellFinished => e.type === 'cell.finished');
    expect(finished).toEqual([
      expect.objectContaining({ attempt: 1, status: 'cancelled', evidence: expect.objectContaining({ xactStatus: 'unknown', decidedBy: 'operator' }) }),
      expect.objectContaining({ status: 'succeeded' }),
    ]);
  }, 120_000);
});
