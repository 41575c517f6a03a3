/**
 * Why a visited cell does not run, as its plan says (a cell the operator jumped to runs
 * unless it cannot): its own `skip` rule, a missing interpreter, or — planned only when
 * nobody is there to decide to run it anyway — commands it calls that are not installed.
 */
import type { CellPlan, RunPlan, WhyNotReason } from '../plan/index.js';
import type { RunMode } from '../events.js';

/** `rule`: the runbook's own choice; `unavailable`: it could not run, and the outcome says so. */
export interface CannotRun {
  by: 'rule' | 'unavailable';
  message: string;
}

/** Reasons of the cell's own, not the selection's: the walk records the cell as skipped for them. */
const OWN: ReadonlySet<WhyNotReason> = new Set(['skip-attribute', 'missing-interpreter', 'missing-command']);

export function cannotRun(plan: CellPlan, mode: RunMode): CannotRun | undefined {
  const whyNot = plan.whyNot && OWN.has(plan.whyNot.reason) ? plan.whyNot : undefined;
  if (!whyNot) return undefined;
  if (whyNot.reason === 'skip-attribute') return { by: 'rule', message: whyNot.message };
  // A dry run shows every cell, even one whose interpreter is missing (preflight names it).
  if (mode === 'dry-run') return undefined;
  return { by: 'unavailable', message: whyNot.message };
}

/** Not run for a reason of its own (the `skip` attribute, a missing interpreter or command), not the selection's: the walk records it. */
export function isOwnReason(cell: CellPlan): boolean {
  return cell.whyNot !== undefined && OWN.has(cell.whyNot.reason);
}

/**
 * The cells a run walks (those that run, and those it records as skipped for a reason of
 * their own) and the cells it answers for: a resumed run answers for the whole run, so the
 * cells that finished before the resume are selected too.
 */
export function cellsToWalk(plan: RunPlan, finishedBefore: ReadonlyMap<string, unknown>): { walked: Set<string>; selected: string[] } {
  const walked = new Set(plan.cells.filter((c) => c.willRun || isOwnReason(c)).map((c) => c.id));
  const selected = plan.cells.filter((c) => walked.has(c.id) || finishedBefore.has(c.id)).map((c) => c.id);
  return { walked, selected };
}
