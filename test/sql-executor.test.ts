import { afterEach, describe, expect, it } from 'vitest';
import { createSqlExecutor } from '../src/engine/lang/sql/executor.js';
import type { Executor, ExecutorEvent } from '../src/engine/lang/executor.js';
import type { SqlResult } from '../src/engine/events.js';
import { bindPlaceholders } from '../src/engine/placeholders.js';
import { freshDatabase, query } from './support/database.js';
import { contextFor } from './support/executor-context.js';

const executors: Executor[] = [];
function sqlExecutor(url: string, extra: Partial<Parameters<typeof createSqlExecutor>[0]> = {}): Executor {
  const executor = createSqlExecutor({ url, applicationName: 'runbook-test', ...extra });
  executors.push(executor);
  return executor;
}
afterEach(async () => {
  await Promise.all(executors.splice(0).map((e) => e.close()));
});

const results = (events: ExecutorEvent[]) => events.filter((e): e is Omit<SqlResult, 'v' | 'seq' | 'ts' | 'run' | 'hash'> => e.type === 'sql.result');

async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('sql executor', () => {
  it('splits a cell with a dollar-quoted body and comments holding ; and emits one result per statement', async () => {
    const url = await freshDatabase();
    const source = [
      '-- Create the table; with a semicolon in the comment',
      'CREATE TABLE jobs (id int, status text);',
      "INSERT INTO jobs VALUES (1, 'in_progress'), (2, 'done; really'), (3, 'in_progress');",
      'CREATE FUNCTION release() RETURNS int LANGUAGE plpgsql AS $fn$',
      'DECLARE n int; -- a comment; inside',
      "BEGIN UPDATE jobs SET status = 'pending' WHERE status = 'in_progress'; GET DIAGNOSTICS n = ROW_COUNT; RETURN n; END",
      '$fn$;',
      '/* Release; them */ SELECT release() AS released;',
      'SELECT id, status, NULL AS nothing FROM jobs ORDER BY id',
    ].join('\n');
    const run = contextFor('sql', source);
    expect(await sqlExecutor(url).run(run.context)).toEqual({ status: 'succeeded' });
    const emitted = results(run.events);
    expect(emitted.map((r) => [r.index, r.command, r.rowCount, r.title])).toEqual([
      [1, 'CREATE', 0, 'Create the table; with a semicolon in the comment'],
      [2, 'INSERT', 3, undefined],
      [3, 'CREATE', 0, undefined],
      [4, 'SELECT', 1, 'Release; them'],
      [5, 'SELECT', 3, undefined],
    ]);
    expect(emitted[3]).toMatchObject({ columns: ['released'], rows: [['2']], truncated: false, statement: 'SELECT release() AS released' });
    expect(emitted[4]!.rows).toEqual([
      ['1', 'pending', null],
      ['2', 'done; really', null],
      ['3', 'pending', null],
    ]);
    expect(emitted.every((r) => r.cell === 'cell')).toBe(true);
  });

  it('reports affected rows for UPDATE and DELETE', async () => {
    const url = await freshDatabase();
    await query(url, 'CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 10) g');
    const run = contextFor('sql', 'UPDATE t SET id = id + 100 WHERE id <= 4; DELETE FROM t WHERE id > 100');
    await sqlExecutor(url).run(run.context);
    expect(results(run.events).map((r) => [r.command, r.rowCount, r.columns])).toEqual([
      ['UPDATE', 4, []],
      ['DELETE', 4, []],
    ]);
  });

  it('stops at the first error with SQLSTATE, detail, hint and line, and the next cell still works', async () => {
    const url = await freshDatabase();
    const executor = sqlExecutor(url);
    await query(url, 'CREATE TABLE t (id int PRIMARY KEY)');
    const failing = contextFor('sql', 'INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2)');
    const result = await executor.run(failing.context);
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: '23505', message: expect.stringContaining('duplicate key'), detail: expect.stringContaining('(id)=(1)'), line: 12 });
    expect(results(failing.events)).toHaveLength(1);
    const positioned = await executor.run(contextFor('sql', 'SELECT 1;\nSELECT\n  no_such_column\nFROM t').context);
    expect(positioned.error).toMatchObject({ code: '42703', line: 13 });
    const next = contextFor('sql', 'SELECT count(*) FROM t');
    expect(await executor.run(next.context)).toEqual({ status: 'succeeded' });
    // A write cell is one transaction the engine opens: its failure takes the first INSERT back too.
    expect(results(next.events)[0]!.rows).toEqual([['0']]);
  });

  it('runs a write cell in one transaction whose id is on record before its first statement', async () => {
    const url = await freshDatabase();
    await query(url, 'CREATE TABLE t (id int)');
    const run = contextFor('sql', 'INSERT INTO t VALUES (1);\nSELECT pg_current_xact_id()::text AS inside');
    expect(await sqlExecutor(url).run(run.context)).toEqual({ status: 'succeeded' });
    const [record, ...rest] = run.events;
    expect(record).toMatchObject({ type: 'sql.transaction', cell: 'cell', attempt: 1, pid: expect.any(Number), xid: expect.stringMatching(/^\d+$/) });
    // Both statements saw the one transaction on record, and it committed.
    const xid = (record as { xid: string }).xid;
    expect(results(rest)[1]!.rows).toEqual([[xid]]);
    expect(await query(url, 'SELECT pg_xact_status($1::xid8) AS s', [xid])).toEqual([{ s: 'committed' }]);
    // A cell with its own BEGIN … COMMIT keeps them: its backend is on record, no transaction id.
    const own = contextFor('sql', 'BEGIN;\nINSERT INTO t VALUES (2);\nCOMMIT');
    expect(await sqlExecutor(url).run(own.context)).toEqual({ status: 'succeeded' });
    expect(own.events[0]).toMatchObject({ type: 'sql.transaction', own: expect.stringContaining('BEGIN/COMMIT') });
    expect(own.events[0]).not.toHaveProperty('xid');
    // It is one transaction of its own: after its BEGIN, the same record with that transaction's id.
    const ownXid = own.events.find((e) => e.type === 'sql.transaction' && 'xid' in e) as { xid: string } | undefined;
    expect(ownXid).toMatchObject({ own: 'the cell is one BEGIN … COMMIT of its own', xid: expect.stringMatching(/^\d+$/) });
    expect(await query(url, 'SELECT pg_xact_status($1::xid8) AS s', [ownXid!.xid])).toEqual([{ s: 'committed' }]);
    // VACUUM cannot run inside a transaction: it runs as before.
    const vacuum = contextFor('sql', 'VACUUM t');
    expect(await sqlExecutor(url).run(vacuum.context)).toEqual({ status: 'succeeded' });
    expect(vacuum.events[0]).toMatchObject({ type: 'sql.transaction', own: 'VACUUM/ANALYZE cannot run inside a transaction' });
  });

  it("every write's sql.transaction names the backend it runs on, also for later writes of the session and after a reconnect", async () => {
    const url = await freshDatabase();
    await query(url, 'CREATE TABLE t (id int)');
    const executor = sqlExecutor(url, { applicationName: 'runbook-backends' });
    const here = "SELECT pid::text, to_json(backend_start) #>> '{}' AS started, pg_current_xact_id()::text AS xid FROM pg_stat_activity WHERE pid = pg_backend_pid()";
    /** The record of one write cell, and what the cell itself saw of its backend and transaction. */
    const write = async (sql: string) => {
      const run = contextFor('sql', `${sql};\n${here}`);
      expect(await executor.run(run.context)).toEqual({ status: 'succeeded' });
      const records = run.events.filter((e) => e.type === 'sql.transaction') as unknown as { pid: number; backendStart: string; xid?: string }[];
      const [pid, started, xid] = results(run.events).at(-1)!.rows[0] as string[];
      return { record: records.at(-1)!, seen: { pid: Number(pid), started, xid } };
    };
    const seen = [];
    for (const sql of ['INSERT INTO t VALUES (1)', 'INSERT INTO t VALUES (2)', 'BEGIN;\nINSERT INTO t VALUES (3)', 'COMMIT;\nINSERT INTO t VALUES (4)']) {
      const { record, seen: cell } = await write(sql);
      expect(record).toMatchObject({ pid: cell.pid, backendStart: cell.started });
      if (record.xid !== undefined) expect(record.xid).toBe(cell.xid);
      seen.push(cell.pid);
    }
    expect(new Set(seen).size).toBe(1);
    // Another backend: the session ends under the executor, the next cell reconnects.
    await query(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'runbook-backends'");
    const lost = "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'runbook-backends'";
    expect(await eventually(async () => (await query<{ n: number }>(url, lost))[0]!.n === 0)).toBe(true);
    let after: Awaited<ReturnType<typeof write>> | undefined;
    for (let attempt = 0; attempt < 3 && !after; attempt++) after = await write('INSERT INTO t VALUES (5)').catch(() => undefined);
    expect(after!.seen.pid).not.toBe(seen[0]);
    expect(after!.record).toMatchObject({ pid: after!.seen.pid, backendStart: after!.seen.started, xid: after!.seen.xid });
  });

  it('rolls back an explicit transaction that failed, so the next cell never sees it aborted', async () => {
    const url = await freshDatabase();
    const executor = sqlExecutor(url);
    await query(url, 'CREATE TABLE t (id int)');
    const failing = contextFor('sql', 'BEGIN;\nINSERT INTO t VALUES (1);\nSELECT 1/0;\nCOMMIT;');
    expect((await executor.run(failing.context)).error).toMatchObject({ code: '22012' });
    const next = contextFor('sql', 'SELECT count(*) FROM t');
    expect(await executor.run(next.context)).toEqual({ status: 'succeeded' });
    expect(results(next.events)[0]!.rows).toEqual([['0']]);
  });

  it('keeps a transaction the author leaves open across cells', async () => {
    const url = await freshDatabase();
    const executor = sqlExecutor(url);
    await query(url, 'CREATE TABLE t (id int)');
    await executor.run(contextFor('sql', 'BEGIN; INSERT INTO t VALUES (1)').context);
    expect(await query(url, 'SELECT * FROM t')).toEqual([]);
    await executor.run(contextFor('sql', 'COMMIT').context);
    expect(await query(url, 'SELECT * FROM t')).toEqual([{ id: 1 }]);
  });

  it('captures RAISE NOTICE as notice output', async () => {
    const url = await freshDatabase();
    const run = contextFor('sql', "DO $$ BEGIN RAISE NOTICE 'stuck jobs: %', 3; RAISE WARNING 'careful' USING HINT = 'look'; END $$");
    expect((await sqlExecutor(url).run(run.context)).status).toBe('succeeded');
    expect(run.output('notice')).toBe('NOTICE:  stuck jobs: 3\nWARNING:  careful\nHINT:  look\n');
  });

  it('times out through statement_timeout and resets it afterwards', async () => {
    const url = await freshDatabase();
    const executor = sqlExecutor(url);
    const run = contextFor('sql', 'SELECT pg_sleep(30)', { timeoutMs: 500 });
    const result = await executor.run(run.context);
    expect(result).toMatchObject({ status: 'timed-out', error: { code: '57014' } });
    const after = contextFor('sql', 'SHOW statement_timeout');
    await executor.run(after.context);
    expect(results(after.events)[0]!.rows).toEqual([['0']]);
  });

  it('cancels a running pg_sleep on the server', async () => {
    const url = await freshDatabase();
    const executor = sqlExecutor(url);
    const run = contextFor('sql', 'SELECT pg_sleep(60)');
    const sleeping = "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)' AND state = 'active'";
    const pending = executor.run(run.context);
    expect(await eventually(async () => (await query<{ n: number }>(url, sleeping))[0]!.n === 1)).toBe(true);
    run.controller.abort();
    expect(await pending).toMatchObject({ status: 'cancelled', error: { code: 'ECANCELED' } });
    expect((await query<{ n: number }>(url, sleeping))[0]!.n).toBe(0);
    const next = contextFor('sql', 'SELECT 1');
    expect(await executor.run(next.context)).toEqual({ status: 'succeeded' });
  });

  it('streams two million rows: exact rowCount, capped rows, bounded heap', async () => {
    const url = await freshDatabase();
    const run = contextFor('sql', 'SELECT g, md5(g::text) FROM generate_series(1, 2000000) g', { maxRows: 50 });
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
    const result = await sqlExecutor(url).run(run.context);
    clearInterval(sampler);
    expect(result.status).toBe('succeeded');
    const [only] = results(run.events);
    expect(only).toMatchObject({ rowCount: 2000000, truncated: true, columns: ['g', 'md5'] });
    expect(only!.rows).toHaveLength(50);
    expect(only!.rows[49]![0]).toBe('50');
    // Two million rows held at once would take several hundred MB of heap.
    expect(peak - before).toBeLessThan(150 * 1024 * 1024);
  });

  it('runs read-only cells in a READ ONLY transaction: a write fails with 25006 and changes nothing', async () => {
    const url = await freshDatabase();
    const executor = sqlExecutor(url);
    await query(url, "CREATE TABLE jobs (id int, status text); INSERT INTO jobs VALUES (1, 'in_progress')");
    const sneaky = contextFor('sql', "SELECT 1;\nCOMMIT;\nUPDATE jobs SET status = 'pending'", { readOnly: true });
    const result = await executor.run(sneaky.context);
    expect(result.error).toMatchObject({ code: '25006' });
    expect(await query(url, 'SELECT status FROM jobs')).toEqual([{ status: 'in_progress' }]);
    const write = contextFor('sql', "UPDATE jobs SET status = 'pending'");
    expect(await executor.run(write.context)).toEqual({ status: 'succeeded' });
    expect(await query(url, 'SELECT status FROM jobs')).toEqual([{ status: 'pending' }]);
  });

  it('keeps a read-only cell read-only inside a transaction an earlier cell opened, and keeps that transaction', async () => {
    const url = await freshDatabase();
    const executor = sqlExecutor(url);
    await query(url, 'CREATE TABLE t (id int)');
    await executor.run(contextFor('sql', 'BEGIN; INSERT INTO t VALUES (1)').context);
    const read = contextFor('sql', 'SELECT count(*) FROM t', { readOnly: true });
    expect(await executor.run(read.context)).toEqual({ status: 'succeeded' });
    expect(results(read.events)[0]!.rows).toEqual([['1']]);
    await executor.run(contextFor('sql', 'INSERT INTO t VALUES (2); COMMIT').context);
    expect(await query(url, 'SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('applies the timeout to the whole cell, not to each statement alone', async () => {
    const url = await freshDatabase();
    const run = contextFor('sql', 'SELECT pg_sleep(0.5);\nSELECT pg_sleep(0.5);\nSELECT pg_sleep(0.5)', { timeoutMs: 800 });
    expect(await sqlExecutor(url).run(run.context)).toMatchObject({ status: 'timed-out' });
    expect(results(run.events)).toHaveLength(1);
  });

  it('binds a hostile placeholder value as a literal: nothing is dropped', async () => {
    const url = await freshDatabase();
    await query(url, 'CREATE TABLE t (sha text); INSERT INTO t VALUES (\'abc\')');
    const value = "x'; DROP TABLE t; --";
    const bound = bindPlaceholders('sql', "SELECT count(*) FROM t WHERE sha = <GOOD_SHA>;\nSELECT '<GOOD_SHA>' AS v", ['GOOD_SHA'], { GOOD_SHA: value });
    const run = contextFor('sql', bound.source);
    expect(await sqlExecutor(url).run(run.context)).toEqual({ status: 'succeeded' });
    expect(results(run.events).map((r) => r.rows)).toEqual([[['0']], [[value]]]);
    expect(await query(url, 'SELECT sha FROM t')).toEqual([{ sha: 'abc' }]);
  });

  it('reports a syntax error with its line without running anything', async () => {
    const url = await freshDatabase();
    await query(url, 'CREATE TABLE t (id int)');
    const result = await sqlExecutor(url).run(contextFor('sql', 'INSERT INTO t VALUES (1);\nSELEC 1').context);
    expect(result.error).toMatchObject({ code: '42601', line: 12 });
    expect(await query(url, 'SELECT * FROM t')).toEqual([]);
  });

  it('fails clearly, with the password masked, when it cannot connect', async () => {
    const url = new URL(await freshDatabase());
    url.password = 'wrong-secret';
    const result = await sqlExecutor(url.toString()).run(contextFor('sql', 'SELECT 1').context);
    expect(result.status).toBe('failed');
    expect(result.error!.message).toMatch(/^could not connect to postgres:\/\/postgres:\*+@127\.0\.0\.1:\d+\/t_\w+: password authentication failed/);
    expect(result.error!.message).not.toContain('wrong-secret');
    // Its SQLSTATE, and that nothing of the cell ran: the console offers to try again.
    expect(result.error).toMatchObject({ code: '28P01', unreachable: true });
  });

  it('fails the running cell when the server ends the session, then reconnects for the next', async () => {
    const url = await freshDatabase();
    const executor = sqlExecutor(url, { applicationName: 'runbook-doomed' });
    const run = contextFor('sql', 'SELECT pg_sleep(30)');
    const pending = executor.run(run.context);
    const doomed = "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'runbook-doomed' AND state = 'active'";
    expect(await eventually(async () => (await query<{ n: number }>(url, doomed))[0]!.n === 1)).toBe(true);
    await query(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'runbook-doomed'");
    const result = await pending;
    expect(result.status).toBe('failed');
    expect(result.error!.message).toMatch(/^(lost the connection to postgres:\/\/postgres:\*+@|terminating connection)/);
    const next = contextFor('sql', 'SELECT 42');
    expect(await executor.run(next.context)).toEqual({ status: 'succeeded' });
    expect(next.output('notice')).toContain('reconnected');
  });
});
