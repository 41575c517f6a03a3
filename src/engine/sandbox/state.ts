/**
 * The sandbox's memory between runs: a small JSON file in the cache directory (mode 600,
 * it holds the local password), and a lock so two runs never initialise or start the same
 * cluster at once.
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SandboxPaths } from './paths.js';
import { processAlive } from './processes.js';
import { makeTraversableDir } from './server-user.js';
import type { SessionSpec } from './sessions.js';

export interface SandboxDatabase {
  /** Absolute path of the seed file, when seeded from one. */
  seedFile?: string;
  seededAt: string;
  /** The simulated sessions its seed declares, started with the server. */
  sessions?: SessionSpec[];
  /** The simulated sessions' process, while it runs. */
  workersPid?: number;
}

export interface SandboxState {
  version: 1;
  port: number;
  user: string;
  password: string;
  clusterDir: string;
  databases: Record<string, SandboxDatabase>;
  /**
   * Seeds that reach outside the database and were confirmed, by the sha256 of their
   * content: each is asked about once (see seed-review.ts). Kept when the cluster is rebuilt.
   */
  trustedSeeds?: Record<string, { file: string; confirmedAt: string }>;
}

/** True when a seed with this content was confirmed before. */
export function seedTrusted(state: SandboxState | undefined, sha256: string): boolean {
  return Object.hasOwn(state?.trustedSeeds ?? {}, sha256);
}

export function readState(paths: SandboxPaths): SandboxState | undefined {
  let text: string;
  try {
    text = readFileSync(paths.stateFile, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const state = JSON.parse(text) as SandboxState;
    return state.version === 1 && typeof state.port === 'number' ? state : undefined;
  } catch {
    return undefined;
  }
}

export function writeState(paths: SandboxPaths, state: SandboxState): void {
  makeTraversableDir(paths.cacheDir);
  const temporary = `${paths.stateFile}.${process.pid}`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, paths.stateFile);
}

/**
 * Runs `action` holding the sandbox lock. A lock left by a dead process is taken over.
 * Waits up to `timeoutMs` for a live holder (initialising a cluster takes seconds).
 */
export async function withLock<T>(paths: SandboxPaths, action: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  makeTraversableDir(paths.cacheDir);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(paths.lockFile, 'wx', 0o600);
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = await lockHolder(paths.lockFile);
      if (holder === undefined || !processAlive(holder)) {
        // Left by a process that died: take it over.
        rmSync(paths.lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`sandbox: another runbook process (pid ${holder}) holds ${paths.lockFile}; wait for it or remove the file`);
      }
      await sleep(100);
    }
  }
  try {
    return await action();
  } finally {
    rmSync(paths.lockFile, { force: true });
  }
}

/** The pid in the lock file; a file still being written gets a moment to be finished. */
async function lockHolder(file: string): Promise<number | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch {
      return undefined;
    }
    const pid = Number(text);
    if (text && Number.isInteger(pid) && pid > 0) return pid;
    await sleep(100);
  }
  return undefined;
}
