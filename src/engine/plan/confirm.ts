/**
 * The write guard for one cell: a `confirm` cell always asks; a write asks against a
 * real database (not the sandbox). Unattended, such a cell runs only with --allow-writes.
 */
import type { RunMode, TargetKind } from '../events.js';
import type { Cell } from '../runbook.js';
import type { ConfirmPlan, Effect } from './types.js';

export interface GuardContext {
  /** Undefined when the target is not known (`runbook list` with a broken database: line): writes then count as guarded. */
  targetKind?: TargetKind;
  mode?: RunMode;
  allowWrites?: boolean;
}

export function planConfirm(cell: Pick<Cell, 'attributes'>, effect: Effect, guard: GuardContext): ConfirmPlan {
  const base = ruleFor(cell, effect, guard.targetKind);
  if (!base.required || guard.mode !== 'unattended') return base;
  return { ...base, unattended: guard.allowWrites ? 'allowed-by-flag' : 'refused' };
}

function ruleFor(cell: Pick<Cell, 'attributes'>, effect: Effect, targetKind: TargetKind | undefined): ConfirmPlan {
  if (cell.attributes.confirm === true) return { required: true, because: 'confirm attribute' };
  if (effect === 'read') return { required: false, because: 'read' };
  if (targetKind === 'postgres') return { required: true, because: 'write against postgres' };
  if (targetKind === 'sandbox') return { required: false, because: 'write in the sandbox' };
  if (targetKind === 'none') return { required: false, because: 'write, no database target' };
  return { required: true, because: 'write, target unknown' };
}
