/**
 * What `follow` may show: each run's rows in seq order, each only once its chain holds.
 * Rows come in commit order, which within a run is seq order but for a push racing the
 * run's own delivery; a row ahead of its run's next seq waits (bounded) for the ones
 * before it. A row already shown (a read repeated after a lost connection) is dropped by
 * its (run, seq). The first row that does not extend its run's chain (changed, forged, not
 * JSON, past the bounds), or a gap that does not fill, ends what is shown of that run:
 * one warning, then none of its rows.
 */
import type { StoredRow } from './store.js';
import { RunChain } from './verify.js';

export type Shown = { kind: 'row'; row: StoredRow } | { kind: 'broken'; run: string; actor: string | undefined; seq: number; reason: string };

/**
 * A gap may hold back this many later rows of its run, or bytes of them, before the run is
 * given up; and all runs together at most `totalBytes` (a writer could open many gaps).
 */
export interface HoldLimits {
  rows: number;
  bytes: number;
  totalBytes: number;
}

const HOLD: HoldLimits = { rows: 2000, bytes: 64 * 1024 * 1024, totalBytes: 256 * 1024 * 1024 };

interface RunState {
  chain: RunChain;
  next: number;
  held: Map<number, StoredRow>;
  heldBytes: number;
  /** When its oldest held row came (an ordinal): which gap has been open longest. */
  heldSince: number;
}

export class FollowChains {
  private readonly runs = new Map<string, RunState>();
  private heldBytes = 0;
  private counter = 0;

  constructor(private readonly hold: HoldLimits = HOLD) {}

  accept(row: StoredRow): Shown[] {
    const run = this.state(row.run);
    if (run.chain.broken || row.seq < run.next || run.held.has(row.seq)) return [];
    if (row.seq > run.next) {
      if (run.held.size === 0) run.heldSince = this.counter++;
      run.held.set(row.seq, row);
      run.heldBytes += row.line.length;
      this.heldBytes += row.line.length;
      const given: Shown[] = [];
      if (run.held.size > this.hold.rows || run.heldBytes > this.hold.bytes) given.push(this.giveUp(run));
      // Over the total, the gaps open longest go first: a gap that fills does so within a read or two.
      while (this.heldBytes > this.hold.totalBytes) given.push(this.giveUp(this.oldestHolder()));
      return given;
    }
    const shown: Shown[] = [];
    for (let current: StoredRow | undefined = row; current; current = this.take(run)) {
      const problem = run.chain.feed(current);
      if (problem) {
        this.release(run);
        shown.push({ kind: 'broken', run: current.run, actor: run.chain.actor, seq: current.seq, reason: problem });
        break;
      }
      run.next = current.seq + 1;
      // The actor from the run's own chained run.started, not the row's column.
      shown.push({ kind: 'row', row: { ...current, actor: run.chain.actor ?? current.actor } });
    }
    return shown;
  }

  /** Runs waiting for a seq, with the seq: what the caller asks the log about (is it elsewhere?). */
  gaps(): { run: string; seq: number }[] {
    return [...this.runs.values()].filter((run) => run.held.size > 0 && !run.chain.broken).map((run) => ({ run: run.chain.run, seq: run.next }));
  }

  /** Gives up a run waiting for a seq that will not come (it is in the log under another incident). */
  unfillable(run: string, reason: string): Shown[] {
    const state = this.runs.get(run);
    return state && state.held.size > 0 && !state.chain.broken ? [this.giveUp(state, reason)] : [];
  }

  private giveUp(run: RunState, why?: string): Shown {
    const reason = why ?? `seq ${run.next} has not arrived, though ${run.held.size} later events have`;
    run.chain.fail(reason);
    this.release(run);
    return { kind: 'broken', run: run.chain.run, actor: run.chain.actor, seq: run.next, reason };
  }

  private oldestHolder(): RunState {
    let oldest: RunState | undefined;
    for (const run of this.runs.values()) if (run.held.size && (!oldest || run.heldSince < oldest.heldSince)) oldest = run;
    return oldest as RunState;
  }

  private take(run: RunState): StoredRow | undefined {
    const row = run.held.get(run.next);
    if (!row) return undefined;
    run.held.delete(run.next);
    run.heldBytes -= row.line.length;
    this.heldBytes -= row.line.length;
    return row;
  }

  private release(run: RunState): void {
    this.heldBytes -= run.heldBytes;
    run.held.clear();
    run.heldBytes = 0;
  }

  private state(id: string): RunState {
    let run = this.runs.get(id);
    if (!run) {
      run = { chain: new RunChain(id), next: 0, held: new Map(), heldBytes: 0, heldSince: 0 };
      this.runs.set(id, run);
    }
    return run;
  }
}
