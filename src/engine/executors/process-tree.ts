/**
 * Runs one interpreter process as the leader of its own process group, streams its
 * output, and ends the whole tree (children and grandchildren too) on timeout, on
 * cancel, and when the leader exits: a cell's processes end with the cell.
 * SIGTERM first, SIGKILL after a grace period, like execa's forceKillAfterDelay.
 */
import { execa } from 'execa';

export interface TreeOptions {
  cwd: string;
  env: Record<string, string>;
  signal: AbortSignal;
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL. */
  graceMs: number;
  onStdout(chunk: string): void;
  onStderr(chunk: string): void;
}

export interface TreeOutcome {
  exitCode?: number;
  /** The signal that ended the leader, when one did. */
  signal?: string;
  /** Why we ended it: the cell's timeout or a cancel. */
  endedBy?: 'timeout' | 'cancel';
  /** The long-lived shell the cell ran in ended under it (see bash-session.ts). */
  sessionLost?: string;
  /** The session died before the cell started: it may be run again on a new session. */
  sessionLostBeforeStart?: boolean;
  /** The interpreter could not be started (ENOENT, EACCES…). */
  spawnError?: { code: string; message: string };
}

/** Groups still alive when this process exits get SIGKILL, so a crash leaves no orphans. */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
});

/** Remembers a process group that must not outlive this process. */
export function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
}

/** SIGTERM to the group now; SIGKILL after the grace period to whatever is left of it. */
export function endGroup(pgid: number, graceMs: number): void {
  signalGroup(pgid, 'SIGTERM');
  forgetGroupWhenGone(pgid, graceMs);
}

/** A member that ignored SIGTERM still gets its SIGKILL after the grace period. */
export function forgetGroupWhenGone(pgid: number, graceMs: number): void {
  if (!groupAlive(pgid)) {
    liveGroups.delete(pgid);
    return;
  }
  setTimeout(() => {
    signalGroup(pgid, 'SIGKILL');
    liveGroups.delete(pgid);
  }, graceMs).unref();
}

export async function runProcessTree(file: string, args: string[], options: TreeOptions): Promise<TreeOutcome> {
  if (options.signal.aborted) return { endedBy: 'cancel' };
  const subprocess = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    // Its own process group (setsid), so one kill(-pgid) reaches every descendant.
    detached: true,
    windowsHide: true,
  });
  const pgid = subprocess.pid;
  let endedBy: TreeOutcome['endedBy'];
  const timers: NodeJS.Timeout[] = [];
  const endTree = () => {
    if (pgid === undefined) return;
    signalGroup(pgid, 'SIGTERM');
    const force = setTimeout(() => signalGroup(pgid, 'SIGKILL'), options.graceMs);
    force.unref();
    timers.push(force);
  };
  const stop = (why: 'timeout' | 'cancel') => {
    if (endedBy) return;
    endedBy = why;
    endTree();
  };
  const onAbort = () => stop('cancel');
  options.signal.addEventListener('abort', onAbort, { once: true });
  if (options.timeoutMs !== undefined && options.timeoutMs > 0) timers.push(setTimeout(() => stop('timeout'), options.timeoutMs));
  if (pgid !== undefined) liveGroups.add(pgid);

  subprocess.stdout?.setEncoding('utf8');
  subprocess.stderr?.setEncoding('utf8');
  subprocess.stdout?.on('data', (chunk: string) => options.onStdout(chunk));
  subprocess.stderr?.on('data', (chunk: string) => options.onStderr(chunk));
  // Background children would hold the pipes open: the leader's exit ends the tree.
  subprocess.once('exit', () => {
    if (!endedBy) endTree();
  });

  try {
    const result = await subprocess;
    if (result.exitCode === undefined && result.signal === undefined && !endedBy) {
      const cause = result.cause as NodeJS.ErrnoException | undefined;
      return { spawnError: { code: cause?.code ?? 'ENOENT', message: cause?.message ?? result.shortMessage ?? 'could not start' } };
    }
    const outcome: TreeOutcome = {};
    if (result.exitCode !== undefined) outcome.exitCode = result.exitCode;
    if (result.signal !== undefined) outcome.signal = result.signal;
    if (endedBy) outcome.endedBy = endedBy;
    return outcome;
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    for (const timer of timers) clearTimeout(timer);
    if (pgid !== undefined) forgetGroupWhenGone(pgid, options.graceMs);
  }
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
