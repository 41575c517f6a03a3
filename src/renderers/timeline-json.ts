/**
 * `runbook timeline --format json`: one array of entries in the shape incident tools
 * import — occurred_at, author, type, step, summary, details — one per timeline row,
 * a `clock` entry first, `symptoms` and `role` entries, and one `checklist` entry per item in its final state.
 * The same facts as the Markdown, as fields: values used, written statements, edit
 * diffs, folded choices, skips per reason, budget and escalation markers, notRun.
 */
import type { RunEvent, UnknownEvent } from '../engine/events.js';
import { mergeTimelines, type MergedTimeline } from './timeline/merge.js';
import { checklistState, type ChecklistSource } from './timeline/checklist.js';
import { buildTimeline, type TimelineModel } from './timeline/model.js';
import { clockSummary } from './timeline/clock.js';

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

export interface TimelineJsonOptions {
  /** The runbook's checklist (run.started's, or the file's): every item, with its Owner. */
  checklist?: ChecklistSource;
}

export function timelineEntries(events: Iterable<RunEvent | UnknownEvent>, options: TimelineJsonOptions = {}): TimelineEntry[] {
  return entriesOf(buildTimeline(events), options);
}

/**
 * The clock (first symptom, detection, first action, first write, resolved), then the rows
 * by time, then the runbook's Symptoms and the roles, then one `checklist` entry per item.
 */
export function entriesOf(model: TimelineModel | MergedTimeline, options: TimelineJsonOptions = {}): TimelineEntry[] {
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
  const clock: TimelineEntry[] = merged.clock
    ? [{ occurred_at: merged.clock.startsAt, author: '', type: 'clock', step: null, run: null, summary: clockSummary(merged.clock), details: { ...merged.clock } }]
    : [];
  const started = merged.runs.find((m) => m.started)?.started;
  const symptoms: TimelineEntry[] = started?.symptoms
    ? [{ occurred_at: started.ts, author: '', type: 'symptoms', step: null, run: started.run, summary: `Symptoms (from the runbook): ${started.symptoms.split('\n')[0] ?? ''}`, details: { text: started.symptoms, runbook: started.runbook.path } }]
    : [];
  const roles: TimelineEntry[] = merged.roles.map((role) => ({ occurred_at: role.at, author: role.who, type: 'role', step: null, run: null, summary: `${role.role}: ${role.who}`, details: { role: role.role, who: role.who } }));
  return [...clock, ...rows, ...symptoms, ...roles, ...checklistEntries(merged, options.checklist)];
}

/** Every checklist item in its final state: the runbook's (with Owner) and what the run ticked; a note when the runbook's items are unknown. */
function checklistEntries(merged: MergedTimeline, source: ChecklistSource | undefined): TimelineEntry[] {
  const state = checklistState(merged.ticks, source ?? {});
  const counts = new Map<string, number>();
  const lines = new Map<string, number>();
  for (const tick of merged.ticks) {
    counts.set(tick.item, (counts.get(tick.item) ?? 0) + 1);
    lines.set(tick.item, tick.line);
  }
  const entries: TimelineEntry[] = state.entries.map((entry) => ({
    occurred_at: entry.by?.at ?? merged.endedAt,
    author: entry.by?.actor ?? '',
    type: 'checklist',
    step: null,
    run: null,
    summary: `${entry.by ? (entry.checked ? 'ticked' : 'unticked') : entry.checked ? 'done' : 'open'}: ${entry.text}`,
    details: {
      item: entry.text, checked: entry.checked,
      ...(lines.has(entry.text) ? { line: lines.get(entry.text), ticks: counts.get(entry.text) } : {}),
      ...(entry.owner !== undefined ? { owner: entry.owner } : {}),
      ...(entry.thisTimeline ? { thisTimeline: true } : {}),
    },
  }));
  if (state.note) entries.push({ occurred_at: merged.endedAt, author: '', type: 'checklist.unknown', step: null, run: null, summary: state.note, details: { note: state.note } });
  return entries;
}

export function renderTimelineJson(events: Iterable<RunEvent | UnknownEvent> | TimelineModel | MergedTimeline, options: TimelineJsonOptions = {}): string {
  const entries = isModel(events) ? entriesOf(events, options) : timelineEntries(events, options);
  return `${JSON.stringify(entries, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`;
}

function isModel(value: Iterable<RunEvent | UnknownEvent> | TimelineModel | MergedTimeline): value is TimelineModel | MergedTimeline {
  return !(Symbol.iterator in value) && 'rows' in value;
}
