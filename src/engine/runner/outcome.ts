/**
 * How a run ended, said without overstating: `succeeded` only when every selected cell
 * succeeded or was skipped by the operator or the runbook; `incomplete` when nothing
 * failed but a selected cell did not run for another reason (a missing interpreter, a
 * cancel, the run stopping before it). Derived here, once, for run.finished and the
 * outcome the command turns into an exit code (src/commands/exit.ts).
 */
import type { CellStatus, NotRun, RunStatus } from '../events.js';
import type { RunOutcome } from './types.js';

export interface OutcomeInput {
  /** The cells the run selected, in document order. */
  selected: readonly string[];
  /** The last status of every cell that finished (a resumed run's earlier cells too). */
  statuses: ReadonlyMap<string, CellStatus>;
  /** Cells skipped because they could not run (`pwsh not found`), with that reason. */
  unavailable: ReadonlyMap<string, string>;
  /** Why the walk ended before the last selected cell, if it did (quit, Ctrl-C, a failed cell). */
  stoppedBecause?: string;
  aborted: boolean;
  quit: boolean;
  /** Background cells the run stopped at its end (recorded `cancelled`): they ran, so they are not "not run". */
  stoppedAtEnd?: ReadonlySet<string>;
  /** Cells a jump forward passed: not run because the operator jumped over them. */
  jumpedOver?: ReadonlySet<string>;
}

export interface Outcome {
  status: RunStatus;
  outcome: RunOutcome;
  notRun: NotRun[];
}

const FAILED: ReadonlySet<CellStatus> = new Set(['failed', 'timed-out']);

export function runOutcome(input: OutcomeInput): Outcome {
  const notRun: NotRun[] = [];
  for (const cell of input.selected) {
    const reason = notRunReason(cell, input);
    if (reason) notRun.push({ cell, reason });
  }
  const failed = [...input.statuses.values()].some((s) => FAILED.has(s));
  if (input.aborted) return { status: 'aborted', outcome: 'interrupted', notRun };
  // `q` in the console is the operator ending the run: recorded as aborted, not an error.
  if (input.quit) return { status: 'aborted', outcome: failed ? 'cell-failed' : 'ok', notRun };
  if (failed) return { status: 'failed', outcome: 'cell-failed', notRun };
  if (notRun.length) return { status: 'incomplete', outcome: 'incomplete', notRun };
  return { status: 'succeeded', outcome: 'ok', notRun };
}

function notRunReason(cell: string, input: OutcomeInput): string | undefined {
  const status = input.statuses.get(cell);
  if (status === 'cancelled') return input.stoppedAtEnd?.has(cell) ? undefined : 'cancelled';
  if (status === 'skipped') return input.unavailable.get(cell);
  if (status === undefined) return input.jumpedOver?.has(cell) ? 'jumped over' : input.stoppedBecause;
  return undefined;
}

/** Refused by preflight, or interrupted before the first cell: every walked cell is "not run" with that reason. */
export function beforeFirstCell(walked: Iterable<string>, aborted: boolean): Outcome {
  const notRun = [...walked].map((cell) => ({ cell, reason: aborted ? 'interrupted before the first cell' : 'preflight refused the run' }));
  return { status: aborted ? 'aborted' : 'failed', outcome: aborted ? 'interrupted' : 'refused', notRun };
}
