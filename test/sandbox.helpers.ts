/**
 * Shared by the sandbox tests: a private cache directory per test file, the compiled
 * workers script is built with dist/ by the global setup; the Dragonfly SQL, cleanup.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { stopSandbox, sandboxStatus } from '../src/engine/sandbox.js';

export const DRAGONFLY = 'runbooks/dragonfly.md';
export const DRAGONFLY_SEED = 'runbooks/dragonfly.sandbox.sql';

/** A fresh, empty cache directory; mode 700 like mkdtemp makes it. */
export function freshSandboxEnv(): NodeJS.ProcessEnv {
  return { ...process.env, RUNBOOK_SANDBOX_DIR: mkdtempSync(join(tmpdir(), 'runbook-sandbox-test-')) };
}

/** Stops the sandbox and removes its cache and cluster directories. */
export async function removeSandbox(env: NodeJS.ProcessEnv): Promise<void> {
  const { dataDir, cacheDir } = sandboxStatus({ env });
  await stopSandbox({ env });
  rmSync(cacheDir, { recursive: true, force: true });
  rmSync(dirname(dataDir), { recursive: true, force: true });
}

/** The SQL cells of runbooks/dragonfly.md, by plain text extraction, in document order. */
export function dragonflySqlCells(): string[] {
  const text = readFileSync(DRAGONFLY, 'utf8');
  return [...text.matchAll(/^```sql[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1] as string);
}

/** The SQL inside the containment cell's `psql $SUPABASE_DB_URL -c "…"`. */
export function containmentSql(): string {
  const text = readFileSync(DRAGONFLY, 'utf8');
  const match = /psql \$SUPABASE_DB_URL -c "([^"]+)"/.exec(text);
  if (!match?.[1]) throw new Error('the containment psql command is gone from runbooks/dragonfly.md');
  return match[1];
}

/** Runs a (possibly multi-statement) script; always an array of results. */
export async function run(url: string, sql: string): Promise<pg.QueryResult[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = (await client.query(sql)) as unknown as pg.QueryResult | pg.QueryResult[];
    return Array.isArray(result) ? result : [result];
  } finally {
    await client.end();
  }
}

export async function rows<T = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  return (await run(url, sql))[0]?.rows as T[];
}

/** Dragonfly sessions as pg_stat_activity sees them. */
export async function dragonflySessions(url: string): Promise<{ application_name: string; usename: string; state: string }[]> {
  return rows(url, "SELECT application_name, usename, state FROM pg_stat_activity WHERE application_name LIKE 'dragonfly%' ORDER BY 1");
}
