/** Read or write, from the parse tree. */
import { describe, expect, it } from 'vitest';
import { planEffect } from '../src/engine/plan/index.js';
import { classifySql, explainSql, type Catalogue } from '../src/engine/lang/sql/effects.js';
import pg from 'pg';
import { loadCatalogue, queryCatalogue } from '../src/engine/lang/sql/catalogue.js';
import type { Queryable } from '../src/engine/lang/sql/connect.js';
import { freshDatabase, query } from './support/database.js';

const cases: [string, 'read' | 'write'][] = [
  ['SELECT 1', 'read'],
  ['WITH x AS (SELECT 1) SELECT * FROM x', 'read'],
  ['SELECT * FROM a UNION SELECT * FROM b', 'read'],
  ['VALUES (1), (2)', 'read'],
  ['SHOW statement_timeout', 'read'],
  ['EXPLAIN SELECT * FROM jobs', 'read'],
  ['BEGIN; SELECT 1; COMMIT', 'write'],
  ['COMMIT; BEGIN READ WRITE; SELECT 1; COMMIT;', 'write'],
  ['SET TRANSACTION READ WRITE', 'write'],
  ['DISCARD ALL', 'write'],
  ['LISTEN x', 'write'],
  ['PREPARE p AS SELECT 1', 'write'],
  ['EXPLAIN DELETE FROM jobs', 'read'],
  ['EXPLAIN (ANALYZE false) DELETE FROM jobs', 'read'],
  ['EXPLAIN ANALYZE SELECT 1', 'read'],
  ['EXPLAIN (ANALYZE) SELECT pg_terminate_backend(1)', 'write'],
  ["SELECT * FROM ts_stat($q$SELECT to_tsvector('x') FROM pg_stat_activity WHERE pg_terminate_backend(pid)$q$)", 'write'],
  ["SELECT query_to_xml('SELECT 1', true, true, '')", 'write'],
  ['SELECT public.sneaky()', 'write'],
  ['SELECT count(*), now(), lower(x), random(), clock_timestamp() FROM t WHERE a ~~ b', 'read'],
  ['SELECT pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class', 'read'],
  ['SELECT 1 ### 2', 'write'],
  ["SELECT * FROM t WHERE a <> 1 AND b < 'x'", 'read'],
  ['SELECT * FROM jobs FOR UPDATE', 'write'],
  ['SELECT * FROM jobs FOR SHARE SKIP LOCKED', 'write'],
  ['SELECT * FROM (SELECT * FROM jobs FOR UPDATE) j', 'write'],
  ['SELECT pg_terminate_backend(pid) FROM pg_stat_activity', 'write'],
  ["SELECT pg_catalog.set_config('x', '1', false)", 'write'],
  ["SELECT count(*) FROM t WHERE id = nextval('s')", 'write'],
  ['SELECT pg_advisory_lock(1)', 'write'],
  ['SELECT * INTO backup FROM jobs', 'write'],
  ['UPDATE jobs SET status = 1', 'write'],
  ['INSERT INTO t VALUES (1)', 'write'],
  ['WITH x AS (DELETE FROM jobs RETURNING *) SELECT * FROM x', 'write'],
  ['EXPLAIN ANALYZE DELETE FROM jobs', 'write'],
  ['CREATE TABLE t (a int)', 'write'],
  ['SET statement_timeout = 0', 'write'],
  ['VACUUM jobs', 'write'],
  ['SELECT 1; UPDATE t SET a = 1', 'write'],
  ['SELEC nonsense', 'write'],
];

describe('classifySql', () => {
  it.each(cases)('%s → %s', async (sql, effect) => {
    expect(await classifySql(sql)).toBe(effect);
  });

  it('is not fooled by a commented-out pg_terminate_backend', async () => {
    expect(await classifySql('SELECT /* pg_terminate_backend(pid), */ pid FROM pg_stat_activity')).toBe('read');
  });

  it('names the function that makes a statement a write', async () => {
    expect(await explainSql('SELECT pg_terminate_backend(pid) FROM pg_stat_activity')).toEqual({ effect: 'write', reason: 'calls pg_terminate_backend(), which acts outside the transaction' });
    expect(await explainSql('SELECT 1; SELECT public.sneaky()')).toEqual({ effect: 'write', reason: 'calls sneaky(), which is not a built-in read-only function' });
    expect((await explainSql('COMMIT; BEGIN READ WRITE; SELECT 1')).reason).toMatch(/transaction control/);
  });

  it('a cell of only comments or semicolons reads nothing (it used to throw: list and run ended with exit 70)', async () => {
    expect(await explainSql('-- only a comment')).toEqual({ effect: 'read', reason: 'no statements' });
    expect(await explainSql('/* a */ ;\n;')).toEqual({ effect: 'read', reason: 'no statements' });
    expect(await explainSql('SELECT 1')).toEqual({ effect: 'read', reason: 'a SELECT that calls only IMMUTABLE or STABLE functions' });
  });

  it('classifies cells with placeholders', async () => {
    expect(await classifySql("SELECT * FROM deploys WHERE sha = <GOOD_SHA>")).toBe('read');
    expect(await classifySql('DELETE FROM deploys WHERE sha = <GOOD_SHA>')).toBe('write');
  });
});

describe('planEffect (the plan reads sql/effects for SQL)', () => {
  it('SQL by its statements; shell writes unless readonly; readonly wins for SQL too (it runs READ ONLY)', async () => {
    expect(await planEffect({ lang: 'sql', source: 'SELECT 1', attributes: {} })).toMatchObject({ effect: 'read' });
    expect(await planEffect({ lang: 'sh', source: 'ls', attributes: {} })).toMatchObject({ effect: 'write', because: expect.stringMatching(/^sh cell/) });
    expect(await planEffect({ lang: 'powershell', source: 'Get-Date', attributes: { readonly: true } })).toEqual({ effect: 'read', because: 'readonly attribute' });
    expect(await planEffect({ lang: 'sql', source: 'UPDATE t SET x = 1', attributes: { readonly: true } })).toEqual({ effect: 'read', because: 'readonly attribute' });
  });

  it('an edited source is judged as edited, with the reason sql/effects gives', async () => {
    const cell = { lang: 'sql' as const, source: 'SELECT 1', attributes: {} };
    const edited = await planEffect(cell, 'SELECT pg_terminate_backend(1)');
    expect(edited.effect).toBe('write');
    expect(edited.because).toBe((await explainSql('SELECT pg_terminate_backend(1)')).reason);
  });
});

describe("the target's catalogue decides", () => {
  it('a user function by its provolatile: VOLATILE writes, STABLE and IMMUTABLE read, one lookup for every cell', async () => {
    const db = await freshDatabase('volatility');
    await query(db, `CREATE FUNCTION public.sneaky() RETURNS int LANGUAGE sql VOLATILE AS 'SELECT 1';
      CREATE FUNCTION public.calm() RETURNS int LANGUAGE sql STABLE AS 'SELECT 1';
      CREATE FUNCTION public.pure(int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT $1'`);
    const cells = ['SELECT public.sneaky()', 'SELECT calm(), pure(2)', 'SELECT count(*) FROM pg_class', 'SELECT missing_fn()'];
    const catalogue: Catalogue = await loadCatalogue(db, cells);
    expect(await explainSql(cells[0]!, catalogue)).toEqual({ effect: 'write', reason: 'calls sneaky() (VOLATILE)' });
    expect(await classifySql(cells[1]!, catalogue)).toBe('read');
    expect(await classifySql(cells[2]!, catalogue)).toBe('read');
    expect(await explainSql(cells[3]!, catalogue)).toEqual({ effect: 'write', reason: 'calls missing_fn(), which the target does not know' });
    // The same name, made VOLATILE in another schema: the most volatile overload counts.
    await query(db, `CREATE SCHEMA other; CREATE FUNCTION other.calm() RETURNS int LANGUAGE sql VOLATILE AS 'SELECT 2'`);
    expect(await classifySql(cells[1]!, await loadCatalogue(db, cells))).toBe('write');
  });

  it('functions that act outside the transaction never read, whatever the catalogue says', async () => {
    const calm: Catalogue = { functions: new Map([['set_config', 's'], ['pg_advisory_lock', 'i'], ['lo_unlink', 's'], ['pg_cancel_backend', 's']]), operators: new Map() };
    for (const call of ["set_config('a.b', 'c', false)", 'pg_advisory_lock(1)', 'lo_unlink(1)', 'pg_cancel_backend(1)']) {
      expect(await explainSql(`SELECT ${call}`, calm)).toMatchObject({ effect: 'write', reason: expect.stringMatching(/acts outside the transaction$/) });
    }
  });

  it('a VOLATILE user function named like a volatile read (public.random) is a write', async () => {
    const db = await freshDatabase('shadow');
    await query(db, "CREATE FUNCTION public.random() RETURNS float8 LANGUAGE sql VOLATILE AS 'SELECT 0.5'");
    const cells = ['SELECT public.random()'];
    expect(await explainSql(cells[0]!, await loadCatalogue(db, cells))).toEqual({ effect: 'write', reason: 'calls random(): function public.random() is VOLATILE' });
  });

  it('a server before PostgreSQL 14 (no pg_get_function_sqlbody) is asked again with prosrc as the body', async () => {
    const db = await freshDatabase('older');
    await query(db, 'CREATE FUNCTION public.pure_end(p int) RETURNS bool LANGUAGE sql IMMUTABLE AS $$ SELECT pg_terminate_backend(p) $$');
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      // A stand-in for an older server: the real one, refusing the function PostgreSQL 13 lacks.
      const older: Queryable = {
        query: async <R>(text: string, values?: unknown[]) => {
          if (text.includes('pg_get_function_sqlbody')) throw Object.assign(new Error('function pg_get_function_sqlbody(oid) does not exist'), { code: '42883' });
          return (await client.query(text, values)) as unknown as { rows: R[] };
        },
      };
      const cells = ['SELECT pure_end(1)'];
      expect(await explainSql(cells[0]!, await queryCatalogue(older, cells))).toMatchObject({ effect: 'write', reason: expect.stringMatching(/pure_end\(\): function public\.pure_end\(p integer\): calls pg_terminate_backend\(\)/) });
    } finally {
      await client.end();
    }
  });

  it('views are followed to a bound: deeper than it, a read of them is a write', async () => {
    const db = await freshDatabase('deep');
    const chain = ['CREATE VIEW v0 AS SELECT 1 AS x'];
    for (let i = 1; i <= 10; i++) chain.push(`CREATE VIEW v${i} AS SELECT x FROM v${i - 1}`);
    await query(db, chain.join(';'));
    const shallow = ['SELECT x FROM v3'];
    expect(await explainSql(shallow[0]!, await loadCatalogue(db, shallow))).toMatchObject({ effect: 'read' });
    const deep = ['SELECT x FROM v10'];
    expect(await explainSql(deep[0]!, await loadCatalogue(db, deep))).toMatchObject({ effect: 'write', reason: expect.stringMatching(/deeper than 8 levels/) });
  });
});
