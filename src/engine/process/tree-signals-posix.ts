/**
 * Signals to a whole process tree on POSIX: a cell runs as the leader of its own process
 * group, so one kill(-pgid) reaches every process it started (that stayed in the group).
 */
export function signalTreePosix(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

export function treeAlivePosix(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The kill -9 watcher's kill (reaper.ts), as the JavaScript it runs under `node -e`: `id` is the group. */
export const WATCHER_KILL_POSIX = "process.kill(-id, 'SIGKILL');";
