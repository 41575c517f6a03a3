/**
 * The PostgreSQL cluster itself: initdb once, start detached with pg_ctl so the server
 * outlives the CLI, stop with pg_ctl, and tell a running server from a crashed one.
 *
 * Settings live in `runbook.conf` (included from postgresql.conf) rather than on the
 * command line: TCP on 127.0.0.1 only, no Unix socket, durability traded for speed
 * (it is a sandbox: a crash loses nothing that `reset` cannot rebuild).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { postgresBinaries } from './binaries.js';
import type { SandboxPaths } from './paths.js';
import { processIs } from './processes.js';
import { makeServerDir, serverUser, type ServerUser } from './server-user.js';

export const SUPERUSER = 'postgres';

export interface CommandResult {
  code: number | null;
  output: string;
}

/** Runs one of the PostgreSQL programs as the server's user; resolves with its output. */
async function runAsServer(file: string, args: string[], user: ServerUser | undefined): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      ...(user ?? {}),
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    // 'exit', not 'close': the server pg_ctl leaves behind must not keep us waiting.
    child.once('exit', (code) => resolve({ code, output }));
  });
}

export async function initCluster(paths: SandboxPaths, password: string): Promise<void> {
  const { initdb } = await postgresBinaries();
  const user = serverUser();
  rmSync(paths.clusterDir, { recursive: true, force: true });
  makeServerDir(paths.clusterDir, user);
  const passwordFile = join(paths.clusterDir, 'pwfile');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (user) chownSync(passwordFile, user.uid, user.gid);
  try {
    const result = await runAsServer(
      initdb,
      [
        `--pgdata=${paths.dataDir}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--locale=C',
        '--encoding=UTF8',
        '--lc-messages=C',
        '--no-sync',
      ],
      user,
    );
    if (result.code !== 0) throw new Error(`sandbox: initdb failed (exit ${result.code}):\n${result.output.trim()}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
  appendFileSync(join(paths.dataDir, 'postgresql.conf'), "\n# Written by runbook's sandbox.\ninclude_if_exists = 'runbook.conf'\n");
}

function writeSettings(paths: SandboxPaths, port: number, user: ServerUser | undefined): void {
  const file = join(paths.dataDir, 'runbook.conf');
  const settings = [
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    "unix_socket_directories = ''",
    'max_connections = 40',
    'shared_buffers = 32MB',
    // A rehearsal database may skip fsync (a machine crash loses it, reset brings it back),
    // but commits must reach the WAL: a killed postmaster has to recover every seeded table.
    'fsync = off',
    'synchronous_commit = on',
    'full_page_writes = off',
    "log_min_messages = 'warning'",
  ];
  writeFileSync(file, `${settings.join('\n')}\n`, { mode: 0o600 });
  if (user) chownSync(file, user.uid, user.gid);
}

/** The postmaster's pid from postmaster.pid, if the file exists. */
export function postmasterPid(paths: SandboxPaths): number | undefined {
  try {
    const pid = Number(readFileSync(join(paths.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export type ClusterState = 'missing' | 'stopped' | 'crashed' | 'running';

/** `crashed`: postmaster.pid is there but its process is gone (killed, OOM, reboot). */
export function clusterState(paths: SandboxPaths): ClusterState {
  if (!existsSync(join(paths.dataDir, 'PG_VERSION'))) return 'missing';
  const pid = postmasterPid(paths);
  if (pid === undefined) return 'stopped';
  return processIs(pid, 'postgres') ? 'running' : 'crashed';
}

export async function startCluster(paths: SandboxPaths, port: number): Promise<void> {
  const { pg_ctl } = await postgresBinaries();
  const user = serverUser();
  if (clusterState(paths) === 'crashed') {
    // The server would check this itself, but a recycled pid could fool it.
    rmSync(join(paths.dataDir, 'postmaster.pid'), { force: true });
  }
  writeSettings(paths, port, user);
  let last: CommandResult = { code: null, output: '' };
  // After a crash the old server's children may hold shared memory for a moment.
  for (let attempt = 0; attempt < 5; attempt++) {
    last = await runAsServer(pg_ctl, ['start', '-D', paths.dataDir, '-l', paths.serverLog, '-w', '-t', '60', '-s'], user);
    if (last.code === 0) return;
    if (!/shared memory|lock file/i.test(last.output + tail(paths.serverLog))) break;
    await sleep(500 * (attempt + 1));
  }
  throw new Error(
    `sandbox: PostgreSQL did not start on 127.0.0.1:${port} (pg_ctl exit ${last.code}). Server log ${paths.serverLog}:\n${tail(paths.serverLog)}`,
  );
}

export async function stopCluster(paths: SandboxPaths): Promise<boolean> {
  if (clusterState(paths) !== 'running') return false;
  const { pg_ctl } = await postgresBinaries();
  const result = await runAsServer(pg_ctl, ['stop', '-D', paths.dataDir, '-m', 'fast', '-w', '-t', '60', '-s'], serverUser());
  if (result.code !== 0 && clusterState(paths) === 'running') {
    throw new Error(`sandbox: could not stop PostgreSQL: ${result.output.trim()}`);
  }
  return true;
}

/** A port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
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

/** True when nothing listens on the port, so a restarted server can keep it. */
export async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}
