/**
 * `runbook timeline --format json`: one array of entries in the shape incident tools
 * import — occurred_at, author, type, step, summary, details — one per timeline row.
 */
import type { RunEvent, UnknownEvent } from '../engine/events.js';
import { buildTimeline, type TimelineModel } from './timeline/model.js';

export interface TimelineEntry {
  /** ISO 8601 UTC with milliseconds. */
  occurred_at: string;
  author: string;
  /** run.started, run.resumed, preflight, cell, decision, note, checklist, first-failure, run.finished, transcript.ended */
  type: string;
  /** The cell id, or null for run-level entries. */
  step: string | null;
  summary: string;
  details: Record<string, unknown>;
}

export function timelineEntries(events: Iterable<RunEvent | UnknownEvent>): TimelineEntry[] {
  return entriesOf(buildTimeline(events));
}

export function entriesOf(model: TimelineModel): TimelineEntry[] {
  return model.rows.map((row) => ({
    occurred_at: row.at,
    author: row.actor,
    type: row.kind,
    step: row.step ?? null,
    summary: [row.action, row.result].filter(Boolean).join(': '),
    details: { elapsed_ms: row.elapsedMs, ...(row.section ? { section: row.section } : {}), ...row.details },
  }));
}

export function renderTimelineJson(events: Iterable<RunEvent | UnknownEvent> | TimelineModel): string {
  const entries = isModel(events) ? entriesOf(events) : timelineEntries(events);
  return `${JSON.stringify(entries, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`;
}

function isModel(value: Iterable<RunEvent | UnknownEvent> | TimelineModel): value is TimelineModel {
  return !(Symbol.iterator in value) && 'rows' in value;
}
