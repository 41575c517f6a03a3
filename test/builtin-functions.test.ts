/**
 * The built-in read-only functions and operators used without a database (lint, list) are
 * PostgreSQL's own catalogue: checked against the live server's pg_proc / pg_operator.
 */
import { describe, expect, it } from 'vitest';
import { BUILTIN_READ_FUNCTIONS, BUILTIN_READ_OPERATORS, BUILTIN_SERVER_VERSION } from '../src/engine/sql/builtin-functions.js';
import { databaseUrl, query } from './support/database.js';

describe('builtin-functions.ts', () => {
  it('matches the server catalogue: every IMMUTABLE/STABLE-only name, and no name with a VOLATILE overload', async () => {
    const url = databaseUrl();
    const version = (await query<{ version: number }>(url, 'SELECT current_setting($1)::int AS version', ['server_version_num']))[0]!.version;
    const functions = await query<{ name: string }>(url, `SELECT proname AS name FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace GROUP BY proname HAVING NOT bool_or(provolatile = 'v')`);
    const operators = await query<{ name: string }>(url, `SELECT oprname AS name FROM pg_operator o JOIN pg_proc p ON p.oid = o.oprcode WHERE o.oprnamespace = 'pg_catalog'::regnamespace GROUP BY oprname HAVING NOT bool_or(p.provolatile = 'v')`);
    expect(Math.floor(version / 10000)).toBe(Math.floor(BUILTIN_SERVER_VERSION / 10000));
    expect([...BUILTIN_READ_FUNCTIONS].sort()).toEqual(functions.map((r) => r.name).sort());
    expect([...BUILTIN_READ_OPERATORS].sort()).toEqual(operators.map((r) => r.name).sort());
    expect(BUILTIN_READ_FUNCTIONS.has('pg_terminate_backend')).toBe(false);
    expect(BUILTIN_READ_FUNCTIONS.has('ts_stat')).toBe(false);
    expect(BUILTIN_READ_FUNCTIONS.has('count')).toBe(true);
  });
});
