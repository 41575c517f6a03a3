/**
 * The built-in read-only functions and operators used without a database (lint, list) are
 * PostgreSQL's own catalogue: checked against the live server's pg_proc / pg_operator.
 * `RUNBOOK_REGENERATE_BUILTINS=1 npx vitest run test/builtin-functions.test.ts` rewrites the
 * snapshot (src/engine/lang/sql/builtin-functions.json) from the server first, after an upgrade.
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { databaseUrl, query } from './support/database.js';

const snapshotFile = new URL('../src/engine/lang/sql/builtin-functions.json', import.meta.url);

/** The server's version and its IMMUTABLE/STABLE-only function and operator names, in byte order. */
async function serverCatalogue(url: string): Promise<{ serverVersion: number; functions: string[]; operators: string[] }> {
  const version = (await query<{ version: number }>(url, 'SELECT current_setting($1)::int AS version', ['server_version_num']))[0]!.version;
  const functions = await query<{ name: string }>(url, `SELECT proname AS name FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace GROUP BY proname HAVING NOT bool_or(provolatile = 'v')`);
  const operators = await query<{ name: string }>(url, `SELECT oprname AS name FROM pg_operator o JOIN pg_proc p ON p.oid = o.oprcode WHERE o.oprnamespace = 'pg_catalog'::regnamespace GROUP BY oprname HAVING NOT bool_or(p.provolatile = 'v')`);
  const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return { serverVersion: version, functions: functions.map((r) => r.name).sort(byteOrder), operators: operators.map((r) => r.name).sort(byteOrder) };
}

describe('builtin-functions.ts', () => {
  it('matches the server catalogue: every IMMUTABLE/STABLE-only name, and no name with a VOLATILE overload', async () => {
    const catalogue = await serverCatalogue(databaseUrl());
    if (process.env.RUNBOOK_REGENERATE_BUILTINS) writeFileSync(snapshotFile, `${JSON.stringify(catalogue, null, 2)}\n`);
    // Imported after any regeneration, so the assertions below read the snapshot as shipped.
    const { BUILTIN_READ_FUNCTIONS, BUILTIN_READ_OPERATORS, BUILTIN_SERVER_VERSION } = await import('../src/engine/lang/sql/builtin-functions.js');
    expect(Math.floor(catalogue.serverVersion / 10000)).toBe(Math.floor(BUILTIN_SERVER_VERSION / 10000));
    expect([...BUILTIN_READ_FUNCTIONS].sort()).toEqual([...catalogue.functions].sort());
    expect([...BUILTIN_READ_OPERATORS].sort()).toEqual([...catalogue.operators].sort());
    expect(BUILTIN_READ_FUNCTIONS.has('pg_terminate_backend')).toBe(false);
    expect(BUILTIN_READ_FUNCTIONS.has('ts_stat')).toBe(false);
    expect(BUILTIN_READ_FUNCTIONS.has('count')).toBe(true);
  });
});
