/**
 * A statement and the executor's own statements around it go out as one extended-protocol
 * batch (one Sync). These attack what that must keep, against the real server: nothing
 * after a failed part runs (so a statement never runs without the guard before it), the
 * statement's result survives a failure after it, and only the cell's notices are the cell's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createSqlExecutor } from '../src/engine/lang/sql/executor.js';
import { FailedAfterStatement, StatementBatch, type ExtraStatement } from '../src/engine/lang/sql/statement.js';
import type { Executor } from '../src/engine/lang/executor.js';
import { freshDatabase, query } from './support/database.js';
import { contextFor } from './support/executor-context.js';

const clients: pg.Client[] = [];
const executors: Executor[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end()));
  await Promise.all(executors.splice(0).map((e) => e.close()));
});

async function tableT(): Promise<{ url: string; client: pg.Client }> {
  const url = await freshDatabase();
  await query(url, 'CREATE TABLE t (id int)');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return { url, client };
}

const ours = (...sql: string[]): ExtraStatement[] => sql.map((text) => ({ sql: text, quiet: true }));
const raise = (text: string) => `DO $$ BEGIN RAISE NOTICE '${text}'; END $$`;

describe('statement batch', () => {
  it('never runs the statement when a statement of ours before it failed', async () => {
    const { url, client } = await tableT();
    const batch = new StatementBatch('INSERT INTO t VALUES (1)', 10, { before: ours('SELECT 1/0'), after: ours('INSERT INTO t VALUES (2)') });
    const failure = await batch.run(client).catch((error: unknown) => error);
    expect(failure).not.toBeInstanceOf(FailedAfterStatement);
    expect(failure).toMatchObject({ code: '22012' });
    expect(await query(url, 'SELECT id FROM t')).toEqual([]);
    // The session is usable at once: the server skipped to the Sync and is ready again.
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('runs nothing of ours after a failed statement', async () => {
    const { url, client } = await tableT();
    const batch = new StatementBatch('SELECT 1/0', 10, { before: ours('INSERT INTO t VALUES (1)'), after: ours('INSERT INTO t VALUES (2)') });
    await expect(batch.run(client)).rejects.toMatchObject({ code: '22012' });
    // The batch is one implicit transaction: what ran before the error is gone with it.
    expect(await query(url, 'SELECT id FROM t')).toEqual([]);
  });

  it('keeps the statement’s result when what follows it fails', async () => {
    const { client } = await tableT();
    const batch = new StatementBatch('SELECT 7 AS n', 10, { before: [], after: ours('SELECT 1/0') });
    const failure = await batch.run(client).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FailedAfterStatement);
    expect((failure as FailedAfterStatement).cause).toMatchObject({ code: '22012' });
    expect((failure as FailedAfterStatement).outcome).toEqual({ command: 'SELECT', columns: ['n'], rows: [['7']], rowCount: 1, truncated: false });
  });

  it('tells the statement’s notices (and those of a part that is not quiet) from ours', async () => {
    const { client } = await tableT();
    const batch = new StatementBatch(raise('cell'), 10, {
      before: ours(raise('guard before')),
      after: [...ours(raise('guard after')), { sql: raise('commit'), quiet: false }],
    });
    const seen: string[] = [];
    client.on('notice', (notice) => batch.noticesAreTheCells && seen.push(notice.message ?? ''));
    expect(await batch.run(client)).toMatchObject({ command: 'DO', rowCount: 0 });
    expect(seen).toEqual(['cell', 'commit']);
  });

  it('streams rows as before: the first maxRows kept, every row counted, NULL as null, columns of an empty result', async () => {
    const { client } = await tableT();
    const rows = await new StatementBatch('SELECT g, NULL::int AS nothing FROM generate_series(1, 5) g', 2).run(client);
    expect(rows).toEqual({ command: 'SELECT', columns: ['g', 'nothing'], rows: [['1', null], ['2', null]], rowCount: 5, truncated: true });
    expect(await new StatementBatch('SELECT id FROM t', 2).run(client)).toEqual({ command: 'SELECT', columns: ['id'], rows: [], rowCount: 0, truncated: false });
    expect(await new StatementBatch('INSERT INTO t SELECT generate_series(1, 3)', 2).run(client)).toMatchObject({ command: 'INSERT', columns: [], rowCount: 3 });
  });

  it('a write whose COMMIT fails: its statement’s result is on record, the cell fails without a line, nothing is kept', async () => {
    const url = await freshDatabase();
    await query(url, 'CREATE TABLE u (id int UNIQUE DEFERRABLE INITIALLY DEFERRED); INSERT INTO u VALUES (1)');
    const executor = createSqlExecutor({ url, applicationName: 'runbook-batch-test' });
    executors.push(executor);
    const run = contextFor('sql', 'INSERT INTO u VALUES (1)');
    const result = await executor.run(run.context);
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: '23505' });
    expect(result.error).not.toHaveProperty('line');
    expect(run.events.filter((e) => e.type === 'sql.result')).toMatchObject([{ command: 'INSERT', rowCount: 1 }]);
    expect(await query(url, 'SELECT count(*)::int AS n FROM u')).toEqual([{ n: 1 }]);
    // The session was cleaned up: the next write runs and commits.
    expect(await executor.run(contextFor('sql', 'INSERT INTO u VALUES (2)').context)).toEqual({ status: 'succeeded' });
    expect(await query(url, 'SELECT count(*)::int AS n FROM u')).toEqual([{ n: 2 }]);
  });
});
