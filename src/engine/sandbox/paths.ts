/**
 * Where the sandbox lives.
 *
 * - State (port, password, seeded databases, worker pid) and the lock live in the cache
 *   directory: `$RUNBOOK_SANDBOX_DIR`, else `$XDG_CACHE_HOME/runbook/sandbox`, else
 *   `~/.cache/runbook/sandbox`.
 * - The cluster (PostgreSQL data directory and server log) lives in `<cache>/cluster`,
 *   owned by whoever runs the server.
 * - As root, PostgreSQL refuses to run as root, so the server runs as the unprivileged
 *   `postgres` user, which must be able to reach the data directory. When it cannot reach
 *   the cache directory (root's ~/.cache sits under /root, mode 700), the cluster goes to
 *   `/var/lib/runbook/sandbox-<hash of the cache path>` instead. We never loosen the
 *   permissions of a directory we did not create.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface SandboxPaths {
  /** State file, lock, worker log. */
  cacheDir: string;
  stateFile: string;
  lockFile: string;
  workersLog: string;
  /** Owned by the server's user: holds `data/` and `server.log`. */
  clusterDir: string;
  dataDir: string;
  serverLog: string;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function sandboxCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RUNBOOK_SANDBOX_DIR) return resolve(env.RUNBOOK_SANDBOX_DIR);
  const cacheHome = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(env.HOME || homedir(), '.cache');
  return join(cacheHome, 'runbook', 'sandbox');
}

export function sandboxPaths(env: NodeJS.ProcessEnv = process.env): SandboxPaths {
  const cacheDir = sandboxCacheDir(env);
  const clusterDir =
    isRoot() && !reachableByOthers(cacheDir)
      ? join('/var/lib/runbook', `sandbox-${createHash('sha256').update(cacheDir).digest('hex').slice(0, 12)}`)
      : join(cacheDir, 'cluster');
  return {
    cacheDir,
    stateFile: join(cacheDir, 'state.json'),
    lockFile: join(cacheDir, 'lock'),
    workersLog: join(cacheDir, 'workers.log'),
    clusterDir,
    dataDir: join(clusterDir, 'data'),
    serverLog: join(clusterDir, 'server.log'),
  };
}

/**
 * True when every existing ancestor of `dir` lets other users pass through (the x bit for
 * others). Missing directories are created by us with mode 755, so they do not block.
 */
export function reachableByOthers(dir: string): boolean {
  let current = resolve(dir);
  for (;;) {
    try {
      if ((statSync(current).mode & 0o001) === 0) return false;
    } catch {
      // Not there yet: we will create it, traversable.
    }
    const parent = dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}
