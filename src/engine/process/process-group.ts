/**
 * One supervisor for every process group a cell runs in, whichever way it was started
 * (a process per cell, a bash session's fork, a long-lived interpreter):
 *
 *   const group = new GroupSupervisor({ signal, timeoutMs, graceMs });
 *   group.start(pgid);        // known: dies with the CLI from now on (reaper.ts)
 *   group.stop('cancel');     // SIGTERM to the group, SIGKILL after the grace period
 *   group.outcome.endedBy;    // 'timeout' | 'cancel' | 'hangup' | … when we ended it
 *   group.finish();           // the cell is over: timers off, leftovers ended (TERM, then KILL)
 *
 * The signal and the timeout call stop() themselves. A stop that comes before start()
 * reaches the group as soon as it is known.
 */
import { registerGroup, unregisterGroup } from './reaper.js';
import { signalTree, treeAlive } from './tree-signals.js';

export type StopReason = 'timeout' | 'cancel';

export interface GroupWatch {
  /** Aborting it stops the group with 'cancel'. */
  signal: AbortSignal;
  /** Stops the group with 'timeout' after this long; none when absent or 0. */
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL. */
  graceMs: number;
}

export interface GroupOutcome {
  pgid?: number;
  /** Why we ended it, when we did. */
  endedBy?: StopReason;
}

export class GroupSupervisor {
  private pgid: number | undefined;
  private endedBy: StopReason | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly onAbort = () => this.stop('cancel');
  private finished = false;

  constructor(private readonly watch: GroupWatch) {
    if (watch.signal.aborted) this.endedBy = 'cancel';
    else watch.signal.addEventListener('abort', this.onAbort, { once: true });
    if (watch.timeoutMs !== undefined && watch.timeoutMs > 0) this.timers.push(setTimeout(() => this.stop('timeout'), watch.timeoutMs));
  }

  /** The group is known (its leader's pid). A stop that came first reaches it now. */
  start(pgid: number): void {
    if (this.pgid === pgid) return;
    this.pgid = pgid;
    trackGroup(pgid);
    if (this.endedBy || this.finished) endGroup(pgid, this.watch.graceMs);
  }

  /** Ends the group (once): SIGTERM now, SIGKILL after the grace period. */
  stop(reason: StopReason): void {
    if (this.endedBy || this.finished) return;
    this.endedBy = reason;
    if (this.pgid !== undefined) endGroup(this.pgid, this.watch.graceMs);
  }

  get outcome(): GroupOutcome {
    return { ...(this.pgid !== undefined ? { pgid: this.pgid } : {}), ...(this.endedBy ? { endedBy: this.endedBy } : {}) };
  }

  /** Whether stop() was called (or the signal was already aborted). */
  get stopped(): boolean {
    return this.endedBy !== undefined;
  }

  /**
   * The cell is over (its leader exited): no more timers; members left behind (a
   * background child holding the pipes) get SIGTERM now and SIGKILL after the grace period.
   */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.watch.signal.removeEventListener('abort', this.onAbort);
    for (const timer of this.timers) clearTimeout(timer);
    if (this.pgid === undefined) return;
    // One probe for the usual end of a cell, a group already gone (a probe of a gone group costs a
    // thrown ESRCH inside Node): it is only forgotten.
    if (!groupAlive(this.pgid)) untrack(this.pgid);
    // After a stop the group already had its SIGTERM: a second one could cut its cleanup short.
    else if (this.endedBy) forgetGroupWhenGone(this.pgid, this.watch.graceMs);
    else endGroup(this.pgid, this.watch.graceMs);
  }
}

/** Groups still alive when this process exits normally get SIGKILL at once (the reaper covers kill -9). */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
});

/** A process group that must not outlive this process (a session, a cell). */
export function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  registerGroup(pgid);
}

function untrack(pgid: number): void {
  liveGroups.delete(pgid);
  unregisterGroup(pgid);
}

/** SIGTERM to the group now; SIGKILL after the grace period to whatever is left of it. */
export function endGroup(pgid: number, graceMs: number): void {
  signalGroup(pgid, 'SIGTERM');
  forgetGroupWhenGone(pgid, graceMs);
}

/** A member that ignored SIGTERM still gets its SIGKILL after the grace period. */
export function forgetGroupWhenGone(pgid: number, graceMs: number): void {
  if (!groupAlive(pgid)) {
    untrack(pgid);
    return;
  }
  setTimeout(() => {
    signalGroup(pgid, 'SIGKILL');
    untrack(pgid);
  }, graceMs).unref();
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  signalTree(pgid, signal);
}

export function groupAlive(pgid: number): boolean {
  return treeAlive(pgid);
}
