/**
 * A statement must reach the server as the text the engine's parser (libpg-query, with
 * PostgreSQL's defaults) read: that reading decided the cell's effect. Two session settings
 * make the server read the same bytes otherwise, so that a constant string to the parser is
 * a function call to the server: standard_conforming_strings = off (a backslash escapes a
 * quote in '…') and a client encoding like SJIS (a UTF-8 byte swallows the backslash after
 * it in E'…'). READ ONLY does not stop such a call (advisory locks, pg_terminate_backend).
 * These attack the executor with both, set every way a session gets them, against the real server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSqlExecutor } from '../src/engine/lang/sql/executor.js';
import { explainSql } from '../src/engine/lang/sql/effects.js';
import { rehearseSql } from '../src/engine/lang/sql/rehearse.js';
import { StatementBatch } from '../src/engine/lang/sql/statement.js';
import pg from 'pg';
import type { Executor, ExecutorEvent } from '../src/engine/lang/executor.js';
import { freshDatabase, query } from './support/database.js';
import { contextFor } from './support/executor-context.js';

const executors: Executor[] = [];
afterEach(async () => {
  await Promise.all(executors.splice(0).map((e) => e.close()));
});

function sqlExecutor(url: string): Executor {
  const executor = createSqlExecutor({ url, applicationName: 'runbook-read-as-test' });
  executors.push(executor);
  return executor;
}

/** A key no other test takes: advisory locks are cluster-wide. */
const key = () => 1_000_000 + Math.floor(Math.random() * 1_000_000_000);

/** Whether any session holds the advisory lock `k` (the executor's session would keep it). */
async function locked(url: string, k: number): Promise<boolean> {
  const rows = await query<{ n: string }>(url, "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = $1", [k]);
  return rows[0]!.n !== '0';
}

/** To the parser: one string constant. With standard_conforming_strings off: 'a''', a call, a comment. */
const hiddenByBackslash = (k: number) => `SELECT 'a\\'' , pg_advisory_lock(${k}) -- '`;
/** To the parser: one E'' constant. In SJIS: the byte 0x81 of Á takes the backslash, the quote ends the string. */
const hiddenByEncoding = (k: number) => `SELECT E'\u00C1\\' , pg_advisory_lock(${k}) -- '`;

const results = (events: ExecutorEvent[]) => events.filter((e) => e.type === 'sql.result').map((e) => (e.type === 'sql.result' ? e.rows : []));

describe('the server reads a statement as the parser did', () => {
  it('the attacks are reads to the parser (what makes them dangerous)', async () => {
    expect((await explainSql(hiddenByBackslash(1))).effect).toBe('read');
    expect((await explainSql(hiddenByEncoding(1))).effect).toBe('read');
  });

  it('standard_conforming_strings off as the database default: the read cell selects the constant, calls nothing, and says so', async () => {
    const url = await freshDatabase();
    const database = new URL(url).pathname.slice(1);
    await query(url, `ALTER DATABASE "${database}" SET standard_conforming_strings = off`);
    const executor = sqlExecutor(url);
    const k = key();
    const cell = contextFor('sql', hiddenByBackslash(k), { readOnly: true });
    expect(await executor.run(cell.context)).toEqual({ status: 'succeeded' });
    expect(await locked(url, k)).toBe(false);
    expect(results(cell.events)).toEqual([[[`a\\' , pg_advisory_lock(${k}) -- `]]]);
    expect(cell.output('notice')).toContain('standard_conforming_strings was off; set to on');
    // Said once: the session keeps it.
    const again = contextFor('sql', 'SELECT 1', { readOnly: true });
    expect(await executor.run(again.context)).toEqual({ status: 'succeeded' });
    expect(again.output('notice')).toBe('');
  });

  it('set off by an earlier (write) cell, also in the same cell, or in the URL: set back before the next statement', async () => {
    const url = await freshDatabase();
    const executor = sqlExecutor(url);
    const k = key();
    const write = contextFor('sql', 'SET standard_conforming_strings = off');
    expect(await executor.run(write.context)).toEqual({ status: 'succeeded' });
    const read = contextFor('sql', hiddenByBackslash(k), { readOnly: true });
    expect(await executor.run(read.context)).toEqual({ status: 'succeeded' });
    expect(await locked(url, k)).toBe(false);
    // A write cell of two statements: the second is read as the parser read it too.
    const k2 = key();
    const both = contextFor('sql', `SET standard_conforming_strings = off;\n${hiddenByBackslash(k2)}`);
    expect(await executor.run(both.context)).toEqual({ status: 'succeeded' });
    expect(await locked(url, k2)).toBe(false);
    // Inside a transaction an earlier cell opened, and after a rollback undid our SET.
    const open = contextFor('sql', 'BEGIN;\nSET standard_conforming_strings = off');
    expect(await executor.run(open.context)).toEqual({ status: 'succeeded' });
    const k3 = key();
    const inside = contextFor('sql', hiddenByBackslash(k3), { readOnly: true });
    expect(await executor.run(inside.context)).toEqual({ status: 'succeeded' });
    expect(await locked(url, k3)).toBe(false);
    expect(await executor.run(contextFor('sql', 'ROLLBACK').context)).toEqual({ status: 'succeeded' });
    const k4 = key();
    const afterRollback = contextFor('sql', hiddenByBackslash(k4), { readOnly: true });
    expect(await executor.run(afterRollback.context)).toEqual({ status: 'succeeded' });
    expect(await locked(url, k4)).toBe(false);

    const viaUrl = new URL(await freshDatabase());
    viaUrl.searchParams.set('options', '-c standard_conforming_strings=off');
    const k5 = key();
    const fromUrl = contextFor('sql', hiddenByBackslash(k5), { readOnly: true });
    expect(await sqlExecutor(viaUrl.toString()).run(fromUrl.context)).toEqual({ status: 'succeeded' });
    expect(await locked(url, k5)).toBe(false);
  });

  it('a client encoding other than UTF8 (SJIS) is set back before the statement', async () => {
    const url = await freshDatabase();
    const executor = sqlExecutor(url);
    expect(await executor.run(contextFor('sql', "SET client_encoding = 'SJIS'").context)).toEqual({ status: 'succeeded' });
    const k = key();
    const read = contextFor('sql', hiddenByEncoding(k), { readOnly: true });
    expect(await executor.run(read.context)).toEqual({ status: 'succeeded' });
    expect(await locked(url, k)).toBe(false);
    expect(results(read.events)).toEqual([[[`\u00C1' , pg_advisory_lock(${k}) -- `]]]);
    expect(read.output('notice')).toContain('client_encoding was SJIS; set to');
  });

  it('a rehearsal (rolled back) reads each statement as the parser did too: a hidden nextval would survive its rollback', async () => {
    const url = await freshDatabase();
    const database = new URL(url).pathname.slice(1);
    await query(url, `CREATE SEQUENCE s; ALTER DATABASE "${database}" SET standard_conforming_strings = off`);
    // No quote inside: chr(115) is 's'.
    const call = 'nextval(chr(115)::regclass)';
    const hidden = `SELECT 'a\\'' , ${call} -- '`;
    expect((await explainSql(hidden)).effect).toBe('read');
    for (const source of [hidden, `SET standard_conforming_strings = off;\n${hidden}`, `SET client_encoding = 'SJIS';\nSELECT E'\u00C1\\' , ${call} -- '`]) {
      const rehearsal = await rehearseSql({ url, source });
      expect(rehearsal.statements.map((s) => s.outcome)).not.toContain('failed');
      expect(await query(url, 'SELECT last_value::int AS v, is_called FROM s')).toEqual([{ v: 1, is_called: false }]);
    }
  });

  it('why a statement goes out by the extended protocol, not as one simple query with the guard (~20 us a cell cheaper): Parse refuses a text the server reads as two', async () => {
    const url = await freshDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('SET standard_conforming_strings = off; CREATE TABLE victim (x int)');
      // One SELECT to the parser; SELECT, DROP TABLE and a comment to this session.
      const text = "SELECT 'a\\''; DROP TABLE victim; --'";
      expect((await explainSql(text)).effect).toBe('read');
      const batch = new StatementBatch(text, 10, { before: [{ sql: 'BEGIN READ ONLY', quiet: true }], after: [{ sql: 'COMMIT', quiet: true }] });
      await expect(batch.run(client)).rejects.toMatchObject({ code: '42601', message: 'cannot insert multiple commands into a prepared statement' });
      await client.query('ROLLBACK');
      expect((await client.query("SELECT to_regclass('victim') IS NOT NULL AS kept")).rows).toEqual([{ kept: true }]);
    } finally {
      await client.end();
    }
  });
});
