/**
 * What the timeline leaves out as rows of their own: choices that change nothing by
 * themselves are folded into the row of the cell they led to, and skips nobody chose
 * (the runbook's `skip`, a missing interpreter) become one row per reason.
 */
import type { DecisionAction } from '../../engine/events.js';
import type { TimelineRow } from './types.js';
import { timeOfDay } from '../text/time.js';

export interface Choice {
  action: DecisionAction;
  actor: string;
  at: string;
  /** A jump's origin and target. */
  from?: string;
  to?: string;
}

/** `jumped here from stuck-jobs by alice`, `retried by bob`, `cancelled by alice at 03:04:07`. */
export function choiceText(choice: Choice): string {
  const time = timeOfDay(choice.at, 'second');
  switch (choice.action) {
    case 'jump':
      return `jumped here from ${choice.from ?? '?'} by ${choice.actor}`;
    case 'retry':
      return `retried by ${choice.actor}`;
    case 'cancel':
      return `cancelled by ${choice.actor} at ${time}`;
    default:
      return `${choice.action} by ${choice.actor}`;
  }
}

/**
 * Automatic skips, one row per reason at the first one's time: `skipped 4 cells` |
 * `pwsh not found: env-hygiene, rollback-if-bad-deploy, …`. A skip the operator chose
 * stays a row of its own: it is a decision.
 */
export function groupAutoSkips(rows: TimelineRow[]): TimelineRow[] {
  const groups = new Map<string, TimelineRow>();
  const out: TimelineRow[] = [];
  for (const row of rows) {
    if (row.kind !== 'cell' || row.details.auto !== true) {
      out.push(row);
      continue;
    }
    const reason = typeof row.details.reason === 'string' && row.details.reason ? row.details.reason : 'no reason recorded';
    const group = groups.get(reason);
    if (!group) {
      const first: TimelineRow = { ...row, kind: 'skips', step: undefined, action: 'skipped 1 cell', result: `${reason}: ${row.step ?? '?'}`, details: { reason, cells: [row.step] } };
      groups.set(reason, first);
      out.push(first);
      continue;
    }
    const cells = group.details.cells as (string | undefined)[];
    cells.push(row.step);
    group.action = `skipped ${cells.length} cells`;
    group.result = `${reason}: ${cells.join(', ')}`;
  }
  return out;
}
