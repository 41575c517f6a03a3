/**
 * The sandbox end to end, in order, on one private cache directory: a cold start seeds the
 * Dragonfly incident; the runbook's own diagnostics find it; containment and remediation
 * really work; reset brings the incident back; a crash is recovered; stop is clean.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import * as sandboxApi from '../src/engine/sandbox.js';
import { ensureSandbox, resetSandbox, sandboxStatus, sandboxUrl, stopSandbox } from '../src/engine/sandbox.js';
import { processIs } from '../src/engine/sandbox/processes.js';
import {
  containmentSql,
  DRAGONFLY_SEED,
  dragonflySessions,
  dragonflySqlCells,
  freshSandboxEnv,
  removeSandbox,
  rows,
  run,
} from './sandbox.helpers.js';

const env = freshSandboxEnv();
let url = '';

const STALE = "SELECT count(*)::int AS n FROM ops.jobs WHERE status = 'in_progress' AND updated_at < now() - interval '15 minutes'";
const FRESH = "SELECT count(*)::int AS n FROM ops.jobs WHERE status = 'in_progress' AND updated_at >= now() - interval '15 minutes'";

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function diagnostics(): Promise<import('pg').QueryResult[]> {
  const [cell] = dragonflySqlCells();
  return run(url, cell as string);
}

afterAll(() => removeSandbox(env));

describe('sandbox', () => {
  it('exports its API', () => {
    expect(Object.keys(sandboxApi).sort()).toEqual(
      ['SANDBOX_HOST', 'databaseNameFor', 'ensureSandbox', 'pendingSeedReview', 'resetSandbox', 'sandboxCacheDir', 'sandboxPaths', 'sandboxStatus', 'sandboxUrl', 'seedDeclined', 'seedRefusal', 'stopSandbox'].sort(),
    );
  });

  it('starts cold from an empty cache directory and seeds the incident', async () => {
    expect(sandboxStatus({ env }).initialised).toBe(false);
    expect(sandboxUrl({ env })).toBeUndefined();
    const handle = await ensureSandbox({ seedFile: DRAGONFLY_SEED, env });
    url = handle.url;
    expect(handle).toMatchObject({ started: true, seeded: true, database: 'dragonfly' });
    expect(url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/dragonfly$/);
    expect(sandboxUrl({ env, seedFile: DRAGONFLY_SEED })).toBe(url);
    const status = sandboxStatus({ env });
    expect(status).toMatchObject({ initialised: true, server: 'running', port: handle.port });
    expect(status.databases).toEqual([expect.objectContaining({ name: 'dragonfly', sessions: true })]);
  });

  it('runs the server as an unprivileged user that can reach its data directory', () => {
    const { pid } = sandboxStatus({ env });
    const owner = execFileSync('ps', ['-o', 'user=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    const me = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
    expect(owner).toBe(me === 'root' ? 'postgres' : me);
  });

  it('reuses the running server on the next call', async () => {
    const again = await ensureSandbox({ seedFile: DRAGONFLY_SEED, env });
    expect(again).toMatchObject({ started: false, seeded: false, url });
  });

  it("lets the runbook's diagnostics find the seeded trouble", async () => {
    const [whoami, rls, grants, connections, blocked, stuck] = await diagnostics();
    expect(whoami?.rows[0]).toMatchObject({ current_user: 'postgres', session_user: 'postgres' });
    // RLS: on for plaintiffs, OFF for judgments.
    expect(Object.fromEntries((rls?.rows ?? []).map((r) => [r.tablename, r.rowsecurity]))).toEqual({ plaintiffs: true, judgments: false });
    expect(grants?.rows.map((r) => r.grantee)).toEqual(expect.arrayContaining(['dragonfly_app', 'dragonfly_worker']));
    // The worker sessions, by role and state.
    expect(connections?.rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ usename: 'dragonfly_worker', application_name: 'dragonfly-worker-1', state: 'idle in transaction' }),
        expect.objectContaining({ usename: 'dragonfly_app', application_name: 'dragonfly-api', state: 'active' }),
        expect.objectContaining({ usename: 'dragonfly_worker', application_name: 'dragonfly-worker-2', state: 'active' }),
      ]),
    );
    // A real blocked query behind a real lock.
    expect(blocked?.rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ query: expect.stringMatching(/FROM public\.judgments/), blocking_query: expect.stringMatching(/^LOCK TABLE public\.judgments/) }),
      ]),
    );
    // Stuck jobs: every one stale, all claimed by the stuck workers.
    const stale = (await rows<{ n: number }>(url, STALE))[0]?.n ?? -1;
    expect(stale).toBeGreaterThan(0);
    expect(stuck?.rowCount).toBe(stale);
    for (const job of stuck?.rows ?? []) expect(job.claimed_by).toMatch(/^dragonfly-worker-[12]$/);
  });

  it('seeds the missing grant: dragonfly_worker cannot read judgments, dragonfly_app can', async () => {
    const privileges = await rows<{ grantee: string }>(
      url,
      "SELECT grantee FROM information_schema.table_privileges WHERE table_schema = 'public' AND table_name = 'judgments' AND privilege_type = 'SELECT'",
    );
    const grantees = privileges.map((p) => p.grantee);
    expect(grantees).toContain('dragonfly_app');
    expect(grantees).not.toContain('dragonfly_worker');
  });

  it("ends the non-idle worker sessions with the containment's pg_terminate_backend, and they stay gone", async () => {
    const terminated = await rows<{ pg_terminate_backend: boolean }>(url, containmentSql());
    expect(terminated.length).toBe(3);
    expect(terminated.every((r) => r.pg_terminate_backend)).toBe(true);
    await expect.poll(async () => (await dragonflySessions(url)).map((s) => s.application_name), { timeout: 5_000 }).toEqual(['dragonfly-worker-3']);
    const [, , , , blocked] = await diagnostics();
    expect(blocked?.rowCount).toBe(0);
    // Not respawned, by the sessions' process nor by the next run.
    expect(await ensureSandbox({ seedFile: DRAGONFLY_SEED, env })).toMatchObject({ started: false });
    await new Promise((r) => setTimeout(r, 500));
    expect((await dragonflySessions(url)).map((s) => s.application_name)).toEqual(['dragonfly-worker-3']);
  });

  it('releases exactly the stale stuck jobs with the remediation UPDATE', async () => {
    const stale = (await rows<{ n: number }>(url, STALE))[0]?.n ?? -1;
    const fresh = (await rows<{ n: number }>(url, FRESH))[0]?.n ?? -1;
    expect(fresh).toBeGreaterThan(0);
    const [, release] = dragonflySqlCells();
    const [result] = await run(url, release as string);
    expect(result?.command).toBe('UPDATE');
    expect(result?.rowCount).toBe(stale);
    expect((await rows<{ n: number }>(url, STALE))[0]?.n).toBe(0);
    expect((await rows<{ n: number }>(url, FRESH))[0]?.n).toBe(fresh);
    const [, , , , , stuck] = await diagnostics();
    expect(stuck?.rowCount).toBe(0);
  });

  it('brings the incident back on reset: stuck jobs and worker sessions', async () => {
    const handle = await resetSandbox(DRAGONFLY_SEED, { env });
    expect(handle).toMatchObject({ started: false, seeded: true, url });
    expect((await rows<{ n: number }>(url, STALE))[0]?.n).toBeGreaterThan(0);
    expect((await dragonflySessions(url)).map((s) => s.application_name)).toEqual([
      'dragonfly-api',
      'dragonfly-worker-1',
      'dragonfly-worker-2',
      'dragonfly-worker-3',
    ]);
    const [, , , , blocked] = await diagnostics();
    expect(blocked?.rowCount).toBeGreaterThan(0);
  });

  it('detects a crashed postmaster (kill -9) and restarts it on the next run', async () => {
    const before = sandboxStatus({ env });
    process.kill(before.pid as number, 'SIGKILL');
    await expect.poll(() => sandboxStatus({ env }).server, { timeout: 5_000 }).toBe('crashed');
    const handle = await ensureSandbox({ seedFile: DRAGONFLY_SEED, env });
    expect(handle).toMatchObject({ started: true, seeded: false, port: before.port });
    const after = sandboxStatus({ env });
    expect(after.server).toBe('running');
    expect(after.pid).not.toBe(before.pid);
    // Data survived; the sessions came back with the server.
    expect((await rows<{ n: number }>(handle.url, STALE))[0]?.n).toBeGreaterThan(0);
    expect((await dragonflySessions(handle.url)).length).toBe(4);
  });

  it('stops cleanly: sessions gone, no postmaster, port closed', async () => {
    const before = sandboxStatus({ env });
    expect(await stopSandbox({ env })).toBe(true);
    const after = sandboxStatus({ env });
    expect(after.server).toBe('stopped');
    expect(after.databases.every((d) => !d.sessions)).toBe(true);
    expect(existsSync(`${after.dataDir}/postmaster.pid`)).toBe(false);
    expect(await portOpen(before.port as number)).toBe(false);
    // A zombie waiting for init to reap it does not count: processIs reads its command line.
    expect(processIs(before.pid as number, 'postgres')).toBe(false);
    expect(await stopSandbox({ env })).toBe(false);
  });

  it('starts again after a stop, on the same data', async () => {
    const handle = await ensureSandbox({ seedFile: DRAGONFLY_SEED, env });
    expect(handle).toMatchObject({ started: true, seeded: false });
    expect((await rows<{ n: number }>(handle.url, 'SELECT count(*)::int AS n FROM public.plaintiffs'))[0]?.n).toBeGreaterThan(0);
  });

  it('starts over when its state file is lost, stopping the server it can no longer describe', async () => {
    const before = sandboxStatus({ env });
    rmSync(join(before.cacheDir, 'state.json'));
    const handle = await ensureSandbox({ seedFile: DRAGONFLY_SEED, env });
    expect(handle).toMatchObject({ started: true, seeded: true });
    expect(processIs(before.pid as number, 'postgres')).toBe(false);
    expect((await dragonflySessions(handle.url)).length).toBe(4);
  });
});
