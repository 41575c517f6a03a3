/**
 * Why a visited cell does not run, decided when the walk reaches it (a cell the operator
 * jumped to runs unless it cannot): its own `skip` rule, a missing interpreter, or — when
 * nobody is there to decide to run it anyway — commands it calls that are not installed.
 */
import { missingReason, type NeededCommand } from '../commands-needed.js';
import { ownReason, type CellPlan, type RunPlan } from '../plan/index.js';
import type { RunMode } from '../events.js';
import type { Cell } from '../runbook.js';

/** `rule`: the runbook's own choice; `unavailable`: it could not run, and the outcome says so. */
export interface CannotRun {
  by: 'rule' | 'unavailable';
  message: string;
}

export function cannotRun(cell: Cell, plan: CellPlan, needed: readonly NeededCommand[], mode: RunMode): CannotRun | undefined {
  const whyNot = ownReason(cell, plan.interpreter);
  if (whyNot?.reason === 'skip-attribute') return { by: 'rule', message: whyNot.message };
  // A dry run shows every cell, even one whose interpreter is missing (preflight names it).
  if (mode === 'dry-run') return undefined;
  if (whyNot) return { by: 'unavailable', message: whyNot.message };
  // Unattended, nobody can decide to run it anyway (--strict refused the run in preflight).
  const missing = missingReason(needed);
  if (missing && mode === 'unattended') return { by: 'unavailable', message: missing };
  return undefined;
}

/** Not run for a reason of its own (the `skip` attribute, a missing interpreter), not the selection's: the walk records it. */
export function isOwnReason(cell: CellPlan): boolean {
  return cell.whyNot?.reason === 'skip-attribute' || cell.whyNot?.reason === 'missing-interpreter';
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
