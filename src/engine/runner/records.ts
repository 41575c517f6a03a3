/**
 * The events that record what the operator decided about a cell and how the cell ended,
 * built in one place so the console, unattended runs and resumed runs write them alike.
 */
import type { CellStatus, EventBody, NotRun, RunStatus } from '../events.js';
import type { Decision, WriteApproval } from '../operator.js';
import type { ExecutionResult } from '../lang/executor.js';

/** The decision's event; `next` (moving on past a cell with a result) records nothing. */
export function decisionEvent(cell: string, decision: Decision, before: string, actor: string): EventBody | undefined {
  // An ad-hoc cell is on record as its own cell (cell.started with `adhoc`), not as a decision about this one.
  if (decision.action === 'next' || decision.action === 'adhoc') return undefined;
  const body: EventBody = { type: 'operator.decision', cell, action: decision.action, actor };
  if (decision.action === 'edit') {
    body.source = decision.source;
    body.previous = before;
  }
  if (decision.action === 'jump') body.to = decision.to;
  if (decision.action === 'skip' && decision.reason) body.reason = decision.reason;
  return body;
}

/**
 * A write let through is recorded as what it was: the operator typing the target's name
 * (`confirm`, by typed), or the command line's flag (`allow-write`) with nobody typing.
 */
export function approvalEvent(cell: string, approval: Exclude<WriteApproval, false>, actor: string): EventBody {
  if (approval === true) return { type: 'operator.decision', cell, action: 'confirm', by: 'typed', actor };
  return { type: 'operator.decision', cell, action: 'allow-write', flag: approval.flag, actor };
}

export function finishedEvent(cell: string, status: CellStatus, durationMs: number, result: Partial<ExecutionResult>, reason?: string, unavailable?: boolean): EventBody {
  return {
    type: 'cell.finished',
    cell,
    status,
    durationMs,
    ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
    ...(result.error ? { error: result.error } : {}),
    ...(result.errors ? { errors: result.errors } : {}),
    ...(reason ? { reason } : {}),
    // So a resumed run still counts it as not run, with this reason.
    ...(unavailable ? { unavailable: true } : {}),
  };
}

/** `run.finished`: the counts of every cell's last status, and what did not run with why. */
export function runFinishedEvent(ended: { status: RunStatus; notRun: NotRun[] }, statuses: ReadonlyMap<string, CellStatus>, durationMs: number, selected: number, reason?: string): { body: EventBody; counts: Partial<Record<CellStatus, number>> } {
  const counts: Partial<Record<CellStatus, number>> = {};
  for (const s of statuses.values()) counts[s] = (counts[s] ?? 0) + 1;
  const { status, notRun } = ended;
  return { body: { type: 'run.finished', status, durationMs, counts, selected, ...(notRun.length ? { notRun } : {}), ...(reason ? { reason } : {}) }, counts };
}
