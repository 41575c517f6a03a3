/**
 * The write guard before a cell's execution: a cell whose effect needs confirmation asks
 * the operator before every attempt — the first run, a retry, a run after an edit, a
 * visit after a jump back (typing the target's name, or the unattended flag's approval) —
 * and records how each attempt was let through: one confirmation never covers a later write. An edit can turn a read into a write, so the
 * rule is the attempt's plan's (replanCell's after an edit), for the text as it stands now.
 */
import type { CellPlan } from '../plan/index.js';
import { ABORTED } from './ask-values.js';
import { approvalEvent } from './records.js';
import type { EventBody, SqlRehearsal } from '../events.js';
import type { Operator } from '../operator.js';
import type { Cell } from '../runbook.js';
import type { Target } from '../target.js';

export interface WriteGuard {
  cell: Cell;
  /** The attempt's plan: its `confirm` is the rule. */
  plan: CellPlan;
  target: Target;
  operator: Operator;
  ask: <T>(pending: Promise<T>) => Promise<T | typeof ABORTED>;
  /** A SQL cell's rehearsal, offered at the confirmation. */
  rehearse?: () => Promise<SqlRehearsal>;
  emit: (body: EventBody) => void;
}

/** `pass`: run it; `refused`: the operator did not confirm; `aborted`: the run ended while asking. */
export async function passWriteGuard(g: WriteGuard): Promise<'pass' | 'refused' | 'aborted'> {
  const { cell, plan, target } = g;
  if (!plan.confirm.required) return 'pass';
  const approval = await g.ask(g.operator.confirmWrite(cell, target.name, g.rehearse));
  if (approval === ABORTED) return 'aborted';
  if (!approval) return 'refused';
  g.emit(approvalEvent(cell.id, approval, g.operator.actor));
  return 'pass';
}
