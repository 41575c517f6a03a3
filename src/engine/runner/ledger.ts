/**
 * What the run knows about each cell's results: its last status, why it could not run
 * (not the operator's or the runbook's choice), and its attempts. One place writes
 * `cell.finished` and keeps these in step with it, for cells waited for, cells in the
 * background and cells skipped; a resumed run starts from what the earlier attempt left.
 */
import type { CellStatus, EventBody } from '../events.js';
import type { ExecutionResult } from '../lang/executor.js';
import type { Effect } from '../plan/types.js';
import { finishedEvent } from './records.js';
import type { ResumePoint, SettledAttempt } from './types.js';

export class CellLedger {
  readonly statuses = new Map<string, CellStatus>();
  /** Cells skipped because they could not run, with why: the outcome calls such a run incomplete. */
  readonly unavailable = new Map<string, string>();
  /** Attempts per cell in this run, so a cell visited again after a jump counts on. */
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly emit: (body: EventBody, effect?: Effect) => void,
    private readonly resume?: ResumePoint,
  ) {
    for (const [cell, status] of Object.entries(resume?.statuses ?? {})) this.statuses.set(cell, status);
    for (const [cell, reason] of Object.entries(resume?.unavailable ?? {})) this.unavailable.set(cell, reason);
  }

  /**
   * Records the cell's end; `unavailable` marks a skip for a cell that could not run.
   * `effect`: the attempt's planned effect, when it ran (a read's end may share a later sync).
   */
  finish(cell: string, status: CellStatus, durationMs: number, result: Partial<ExecutionResult>, reason?: string, unavailable?: boolean, effect?: Effect): CellStatus {
    this.statuses.set(cell, status);
    if (unavailable && reason) this.unavailable.set(cell, reason);
    this.emit(finishedEvent(cell, status, durationMs, result, reason, unavailable), effect);
    return status;
  }

  /** A killed attempt's end, as the server told resume: on record with its evidence before anything runs. */
  settle({ cell, attempt, status, durationMs, reason, evidence }: SettledAttempt): void {
    this.statuses.set(cell, status);
    this.emit({ ...finishedEvent(cell, status, durationMs, {}, reason), attempt, evidence } as EventBody);
  }

  /** This run's attempts at the cell so far. */
  attemptsOf(cell: string): number {
    return this.attempts.get(cell) ?? 0;
  }

  /** Counts one more attempt; resolves to its number over the whole run, a resumed one's earlier attempts included. */
  countAttempt(cell: string): number {
    const count = this.attemptsOf(cell) + 1;
    this.attempts.set(cell, count);
    return count + (this.resume?.attempts?.[cell] ?? 0);
  }
}
