/**
 * `runbook timeline --format json`: one array of entries in the shape incident tools
 * import — occurred_at, author, type, step, summary, details — one per timeline row,
 * then one `checklist` entry per item the run ticked or unticked, in its final state.
 * The same facts as the Markdown, as fields: values used, written statements, edit
 * diffs, folded choices, skips per reason, budget and escalation markers, notRun.
 */
import type { RunEvent, UnknownEvent } from '../engine/events.js';
import { mergeTimelines, type MergedTimeline } from './timeline/merge.js';
import { buildTimeline, type Tick, type TimelineModel } from './timeline/model.js';

export interface TimelineEntry {
  /** ISO 8601 UTC with milliseconds. */
  occurred_at: string;
  author: string;
  /** run.started, run.resumed, preflight, cell, skips, decision, note, first-failure, budget-overrun, escalation, run.finished, transcript.ended, checklist */
  type: string;
  /** The cell id, or null for run-level entries. */
  step: string | null;
  /** The run the entry belongs to (several in a merged timeline). */
  run: string | null;
  summary: string;
  details: Record<string, unknown>;
}

export function timelineEntries(events: Iterable<RunEvent | UnknownEvent>): TimelineEntry[] {
  return entriesOf(buildTimeline(events));
}

export function entriesOf(model: TimelineModel | MergedTimeline): TimelineEntry[] {
  const merged = 'runs' in model ? model : mergeTimelines([model]);
  const rows = merged.rows.map((row) => ({
    occurred_at: row.at,
    author: row.actor,
    type: row.kind,
    step: row.step ?? null,
    run: row.run ?? null,
    summary: [row.action, row.result].filter(Boolean).join(': '),
    details: { elapsed_ms: row.elapsedMs, ...(row.section ? { section: row.section } : {}), ...row.details },
  }));
  return [...rows, ...finalTicks(merged.ticks)];
}

/** The last tick of each item: its final state, by whom, when. */
function finalTicks(ticks: Tick[]): TimelineEntry[] {
  const last = new Map<string, Tick>();
  for (const tick of ticks) last.set(tick.item.trim().toLowerCase(), tick);
  return [...last.values()].map((tick) => ({
    occurred_at: tick.at,
    author: tick.actor,
    type: 'checklist',
    step: null,
    run: null,
    summary: `${tick.checked ? 'ticked' : 'unticked'}: ${tick.item}`,
    details: { item: tick.item, checked: tick.checked, line: tick.line, ticks: ticks.filter((t) => t.item === tick.item).length },
  }));
}

export function renderTimelineJson(events: Iterable<RunEvent | UnknownEvent> | TimelineModel | MergedTimeline): string {
  const entries = isModel(events) ? entriesOf(events) : timelineEntries(events);
  return `${JSON.stringify(entries, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`;
}

function isModel(value: Iterable<RunEvent | UnknownEvent> | TimelineModel | MergedTimeline): value is TimelineModel | MergedTimeline {
  return !(Symbol.iterator in value) && 'rows' in value;
}
