/**
 * Ending a process tree on Windows, which has no process groups to signal: `taskkill /T`
 * walks the tree from its root (the cell's leader, whose pid stands where POSIX has the
 * group id) and `/F` ends it at once — Windows has no SIGTERM a console program can catch,
 * so the graceful step POSIX gets is not there. Children whose parent already exited are
 * out of `/T`'s reach; a job object would hold them, and needs native code this project
 * does not ship (said in the README's Windows section). Untested on Windows.
 */
import { spawnSync } from 'node:child_process';

const TASKKILL = 'taskkill';
const TREE_FORCED = ['/T', '/F', '/PID'];

/** The command that ends the tree rooted at `pid` (exported so the tests can check it here). */
export function taskkillArgs(pid: number): [string, string[]] {
  return [TASKKILL, [...TREE_FORCED, String(pid)]];
}

/** The kill -9 watcher's kill (reaper.ts), as the JavaScript it runs under `node -e`: `id` is the tree's root pid. */
export const WATCHER_KILL_WIN32 = `cp.spawnSync(${JSON.stringify(TASKKILL)}, ${JSON.stringify(TREE_FORCED)}.concat(String(id)), { stdio: 'ignore', windowsHide: true });`;

export function signalTreeWin32(pid: number, signal: NodeJS.Signals | 0): void {
  if (signal === 0) return;
  const [file, args] = taskkillArgs(pid);
  spawnSync(file, args, { stdio: 'ignore', windowsHide: true });
}

export function treeAliveWin32(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
