/** Read or write, from the parse tree. */
import { describe, expect, it } from 'vitest';
import { cellEffect, classifySql, isWritingFunction } from '../src/engine/sql/effects.js';

const cases: [string, 'read' | 'write'][] = [
  ['SELECT 1', 'read'],
  ['WITH x AS (SELECT 1) SELECT * FROM x', 'read'],
  ['SELECT * FROM a UNION SELECT * FROM b', 'read'],
  ['VALUES (1), (2)', 'read'],
  ['SHOW statement_timeout', 'read'],
  ['EXPLAIN SELECT * FROM jobs', 'read'],
  ['BEGIN; SELECT 1; COMMIT', 'read'],
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

  it('classifies cells with placeholders', async () => {
    expect(await classifySql("SELECT * FROM deploys WHERE sha = <GOOD_SHA>")).toBe('read');
    expect(await classifySql('DELETE FROM deploys WHERE sha = <GOOD_SHA>')).toBe('write');
  });
});

describe('cellEffect', () => {
  it('SQL by its statements; shell writes unless readonly', async () => {
    expect(await cellEffect({ lang: 'sql', source: 'SELECT 1', attributes: {} })).toBe('read');
    expect(await cellEffect({ lang: 'sh', source: 'ls', attributes: {} })).toBe('write');
    expect(await cellEffect({ lang: 'powershell', source: 'Get-Date', attributes: { readonly: true } })).toBe('read');
  });
});

describe('isWritingFunction', () => {
  it('knows the list and its prefixes, case-insensitively', () => {
    expect(['pg_cancel_backend', 'PG_RELOAD_CONF', 'lo_unlink', 'dblink_exec', 'pg_try_advisory_lock', 'txid_current'].every(isWritingFunction)).toBe(true);
    expect(['now', 'count', 'pg_sleep', 'current_setting'].some(isWritingFunction)).toBe(false);
  });
});
