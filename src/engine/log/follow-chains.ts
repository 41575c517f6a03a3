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

/** A gap may hold back this many later rows, or bytes of them, before the run is given up. */
export interface HoldLimits {
  rows: number;
  bytes: number;
}

const HOLD: HoldLimits = { rows: 2000, bytes: 64 * 1024 * 1024 };

interface RunState {
  chain: RunChain;
  next: number;
  held: Map<number, StoredRow>;
  heldBytes: number;
}

export class FollowChains {
  private readonly runs = new Map<string, RunState>();

  constructor(private readonly hold: HoldLimits = HOLD) {}

  accept(row: StoredRow): Shown[] {
    const run = this.state(row.run);
    if (run.chain.broken || row.seq < run.next || run.held.has(row.seq)) return [];
    if (row.seq > run.next) {
      run.held.set(row.seq, row);
      run.heldBytes += row.line.length;
      if (run.held.size <= this.hold.rows && run.heldBytes <= this.hold.bytes) return [];
      const reason = `seq ${run.next} has not arrived, though ${run.held.size} later events have`;
      run.chain.fail(reason);
      this.release(run);
      return [{ kind: 'broken', run: row.run, actor: run.chain.actor, seq: run.next, reason }];
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

  private take(run: RunState): StoredRow | undefined {
    const row = run.held.get(run.next);
    if (!row) return undefined;
    run.held.delete(run.next);
    run.heldBytes -= row.line.length;
    return row;
  }

  private release(run: RunState): void {
    run.held.clear();
    run.heldBytes = 0;
  }

  private state(id: string): RunState {
    let run = this.runs.get(id);
    if (!run) {
      run = { chain: new RunChain(id), next: 0, held: new Map(), heldBytes: 0 };
      this.runs.set(id, run);
    }
    return run;
  }
}
