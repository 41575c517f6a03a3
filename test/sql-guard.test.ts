/**
 * The statements the SQL executor sends around a cell go out batched (one simple query
 * before, one after); these check that batching kept every guarantee of the guard.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { GuardQueue } from '../src/engine/lang/sql/guard.js';
import { StatementBatch } from '../src/engine/lang/sql/statement.js';
import { createSqlExecutor } from '../src/engine/lang/sql/executor.js';
import type { Executor, ExecutorEvent } from '../src/engine/lang/executor.js';
import type { SqlResult } from '../src/engine/events.js';
import { freshDatabase, query } from './support/database.js';
import { contextFor } from './support/executor-context.js';

const executors: Executor[] = [];
function sqlExecutor(url: string): Executor {
  const executor = createSqlExecutor({ url, applicationName: 'runbook-guard-test' });
  executors.push(executor);
  return executor;
}
afterEach(async () => {
  await Promise.all(executors.splice(0).map((e) => e.close()));
});

const rowsOf = (events: ExecutorEvent[]) =>
  events.filter((e): e is Omit<SqlResult, 'v' | 'seq' | 'ts' | 'run' | 'hash'> => e.type === 'sql.result').map((r) => r.rows);

/** The session as the next (write) cell sees it. */
async function settings(executor: Executor): Promise<unknown[][][]> {
  const run = contextFor('sql', 'SHOW default_transaction_read_only; SHOW statement_timeout; SHOW transaction_read_only');
  expect(await executor.run(run.context)).toEqual({ status: 'succeeded' });
  return rowsOf(run.events);
}
const CLEAN = [[['off']], [['0']], [['off']]];

describe('sql executor guard', () => {
  it('a ROLLBACK inside a read-only cell cannot lift read-only for the rest of the cell', async () => {
    const url = await freshDatabase();
    const executor = sqlExecutor(url);
    await query(url, "CREATE TABLE jobs (id int, status text); INSERT INTO jobs VALUES (1, 'in_progress')");
    const sneaky = contextFor('sql', "SELECT 1;\nROLLBACK;\nUPDATE jobs SET status = 'pending'", { readOnly: true });
    expect((await executor.run(sneaky.context)).error).toMatchObject({ code: '25006' });
    expect(await query(url, 'SELECT status FROM jobs')).toEqual([{ status: 'in_progress' }]);
    expect(await settings(executor)).toEqual(CLEAN);
  });

  it('shows none of its own notices, only the cell’s', async () => {
    const url = await freshDatabase();
    const executor = sqlExecutor(url);
    const plain = contextFor('sql', 'SELECT 1', { readOnly: true, timeoutMs: 5000 });
    expect(await executor.run(plain.context)).toEqual({ status: 'succeeded' });
    expect(plain.output('notice')).toBe('');
    // The author's own COMMIT outside a transaction still warns, as psql would show.
    const own = contextFor('sql', 'SELECT 1;\nCOMMIT;\nCOMMIT', { readOnly: true });
    expect(await executor.run(own.context)).toEqual({ status: 'succeeded' });
    expect(own.output('notice')).toBe('WARNING:  there is no transaction in progress\n');
  });

  it('a read-only cell’s guard makes the server send no notice at all (it sends each one at once, a second packet and wake-up per cell)', async () => {
    const url = await freshDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const notices: string[] = [];
      client.on('notice', (notice) => notices.push(notice.message ?? ''));
      const guard = new GuardQueue();
      guard.readOnlyPrologue(false);
      const before = guard.take().statements;
      guard.readOnlyEpilogue(false);
      guard.resets();
      const after = guard.take().statements;
      const quiet = (statements: string[]) => statements.map((sql) => ({ sql, quiet: true }));
      const outcome = await new StatementBatch('SHOW transaction_read_only', 10, { before: quiet(before), after: quiet(after) }).run(client);
      expect(outcome.rows).toEqual([['on']]);
      expect(notices).toEqual([]);
      // And the session is back to its defaults.
      expect((await client.query('SHOW default_transaction_read_only')).rows).toEqual([{ default_transaction_read_only: 'off' }]);
    } finally {
      await client.end();
    }
  });

  it('leaves the session as it found it after read-only cells, with and without a timeout, passed or failed', async () => {
    const url = await freshDatabase();
    const executor = sqlExecutor(url);
    const cells = [
      contextFor('sql', 'SELECT 1', { readOnly: true }),
      contextFor('sql', 'SELECT 1; SELECT 2', { readOnly: true, timeoutMs: 5000 }),
      contextFor('sql', 'SELECT pg_sleep(5)', { readOnly: true, timeoutMs: 200 }),
      contextFor('sql', 'SELECT 1/0', { readOnly: true }),
      contextFor('sql', '-- only a comment', { readOnly: true }),
      contextFor('sql', 'SELECT 1', { timeoutMs: 5000 }),
    ];
    const statuses = [];
    for (const cell of cells) {
      statuses.push((await executor.run(cell.context)).status);
      expect(await settings(executor)).toEqual(CLEAN);
    }
    expect(statuses).toEqual(['succeeded', 'succeeded', 'timed-out', 'failed', 'succeeded', 'succeeded']);
  });

  it('inside an open transaction: a write in a read-only cell fails with 25006 and the transaction is rolled back', async () => {
    const url = await freshDatabase();
    const executor = sqlExecutor(url);
    await query(url, 'CREATE TABLE t (id int)');
    await executor.run(contextFor('sql', 'BEGIN; INSERT INTO t VALUES (1)').context);
    const read = contextFor('sql', 'SELECT count(*) FROM t; INSERT INTO t VALUES (2)', { readOnly: true });
    expect((await executor.run(read.context)).error).toMatchObject({ code: '25006' });
    expect(rowsOf(read.events)).toEqual([[['1']]]);
    expect(await settings(executor)).toEqual(CLEAN);
    expect(await query(url, 'SELECT id FROM t')).toEqual([]);
  });

  it('a read-only cell of one statement (guarded by BEGIN READ ONLY alone) cannot write, in any form', async () => {
    const url = await freshDatabase();
    const executor = sqlExecutor(url);
    await query(url, 'CREATE TABLE t (id int); CREATE SEQUENCE s');
    for (const sql of [
      'INSERT INTO t VALUES (1)',
      'WITH w AS (INSERT INTO t VALUES (2) RETURNING id) SELECT * FROM w',
      "SELECT nextval('s')",
      'SELECT * INTO t2 FROM t',
      'CREATE TABLE t3 (id int)',
    ]) {
      const cell = contextFor('sql', sql, { readOnly: true });
      expect((await executor.run(cell.context)).error, sql).toMatchObject({ code: '25006' });
      expect(await settings(executor)).toEqual(CLEAN);
    }
    expect(await query(url, 'SELECT id FROM t')).toEqual([]);
    expect(await query(url, "SELECT last_value, is_called FROM s")).toEqual([{ last_value: '1', is_called: false }]);
    expect(await query(url, "SELECT count(*)::int AS n FROM pg_class WHERE relname IN ('t2', 't3')")).toEqual([{ n: 0 }]);
    // And a read of one statement runs, READ ONLY, and leaves the session clean.
    const read = contextFor('sql', 'SHOW transaction_read_only', { readOnly: true });
    expect(await executor.run(read.context)).toEqual({ status: 'succeeded' });
    expect(rowsOf(read.events)).toEqual([[['on']]]);
    expect(await settings(executor)).toEqual(CLEAN);
  });

  it('a read-only cell after a lost session is guarded on the new one', async () => {
    const url = await freshDatabase();
    const executor = sqlExecutor(url);
    await query(url, 'CREATE TABLE t (id int)');
    await executor.run(contextFor('sql', 'SET statement_timeout = 1234').context);
    const sessions = "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'runbook-guard-test'";
    await query(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'runbook-guard-test'");
    for (let tries = 0; tries < 100 && (await query<{ n: number }>(url, sessions))[0]!.n > 0; tries += 1) await new Promise((r) => setTimeout(r, 20));
    // The first cell after finds the session gone (it fails, or reconnects at once); the next one surely runs on a new session.
    await executor.run(contextFor('sql', 'SELECT 1').context);
    const write = contextFor('sql', 'INSERT INTO t VALUES (1)', { readOnly: true });
    expect((await executor.run(write.context)).error).toMatchObject({ code: '25006' });
    expect(await settings(executor)).toEqual(CLEAN);
  });

  it('the queue never forgets a setting: settling a part that changed nothing keeps what a later, unsettled part set (its RESET still goes out)', () => {
    const guard = new GuardQueue();
    guard.readOnlyPrologue(false, true);
    const quietPart = guard.take();
    guard.timeout(5000);
    guard.take(); // sent, never settled: the server may hold the timeout
    quietPart.settle(true);
    guard.resets();
    expect(guard.take().statements).toEqual(['RESET statement_timeout']);
    // And a queue with nothing changed sends no RESET at all.
    const clean = new GuardQueue();
    clean.readOnlyPrologue(false, true);
    clean.take().settle(true);
    clean.resets();
    expect(clean.isEmpty).toBe(true);
  });
});
