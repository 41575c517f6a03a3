/**
 * Markers a postmortem looks for on the clock: a section that ran past its budget
 * (`Immediate Containment (< 2 min)`), and the moment the runbook's escalation time
 * ("If unresolved in 15 min, page on-call lead") was reached with the run still going.
 */
import { duration } from '../text/time.js';
import type { RunStarted } from '../../engine/events.js';
import type { CellSpan, TimelineRow } from './types.js';

/** What the markers read of a timeline's model (model.ts passes itself). */
interface MarkedRun {
  started?: RunStarted;
  endedAt: string;
  rows: TimelineRow[];
  spans: CellSpan[];
}

/** One marker per budgeted section whose cells took longer than its budget, at the moment the budget ran out. */
export function budgetMarkers(model: MarkedRun, origin: number): TimelineRow[] {
  const budgets = model.started?.budgets ?? [];
  const markers: TimelineRow[] = [];
  for (const budget of budgets) {
    const inside = model.rows.filter((row) => row.step && row.section && startsWith(row.section, budget.section));
    const spans = model.spans.filter((span) => startsWith(span.section, budget.section));
    if (!inside.length && !spans.length) continue;
    const startMs = Math.min(...inside.map((r) => r.elapsedMs), ...spans.map((s) => s.startMs));
    const endMs = Math.max(...inside.map((r) => r.elapsedMs), ...spans.map((s) => s.endMs));
    if (endMs - startMs <= budget.budgetMs) continue;
    const name = budget.section.at(-1) ?? '?';
    const atMs = startMs + budget.budgetMs;
    markers.push({
      kind: 'budget-overrun',
      at: new Date(origin + atMs).toISOString(),
      elapsedMs: atMs,
      actor: '',
      section: budget.section,
      action: 'BUDGET OVERRUN',
      result: `"${name}": its ${duration(budget.budgetMs)} budget ran out here; the section took ${duration(endMs - startMs)}`,
      details: { section: budget.section, budgetMs: budget.budgetMs, tookMs: endMs - startMs },
    });
  }
  return markers;
}

/** The escalation time, when the run was still going then. */
export function escalationMarker(model: MarkedRun, origin: number): TimelineRow[] {
  const started = model.started;
  const afterMs = started?.escalationAfterMs;
  if (!started || afterMs === undefined) return [];
  const startMs = (Date.parse(started.ts) || origin) - origin;
  const lastMs = (Date.parse(model.endedAt) || origin) - origin;
  if (lastMs - startMs < afterMs) return [];
  const atMs = startMs + afterMs;
  return [{
    kind: 'escalation',
    at: new Date(origin + atMs).toISOString(),
    elapsedMs: atMs,
    actor: '',
    action: 'ESCALATION TIME',
    result: `${duration(afterMs)} since RUN STARTED: ${started.escalation ?? 'the runbook says to escalate now'}`,
    details: { afterMs, escalation: started.escalation },
  }];
}

function startsWith(path: string[], prefix: string[]): boolean {
  return prefix.length <= path.length && prefix.every((part, i) => path[i] === part);
}
