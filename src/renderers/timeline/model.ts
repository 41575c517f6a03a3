/**
 * The postmortem's view of a transcript: one pass over the events builds the header
 * facts (header.ts), the rows (a row per cell attempt, edit, authorisation, note, plus
 * markers), the cell spans for the Gantt chart and what the run ticked (rows.ts).
 * Markdown, JSON and the chart are all drawn from this, so they cannot disagree.
 * Budget overruns and the escalation time are markers (markers.ts), placed once every row is in.
 */
import type { RunEvent, UnknownEvent } from '../../engine/events.js';
import { createRedactor, redactDeep } from '../../engine/redact.js';
import { marksOf, type IncidentMark, type Role } from './clock.js';
import { createRunHeader, type RunHeader } from './header.js';
import { budgetMarkers, escalationMarker } from './markers.js';
import { createRowBuilder } from './rows.js';
import type { CellSpan, Tick, TimelineRow } from './types.js';

export type { CellSpan, RowKind, Tick, TimelineRow } from './types.js';

export interface TimelineModel extends RunHeader {
  actors: string[];
  rows: TimelineRow[];
  spans: CellSpan[];
  ticks: Tick[];
  /** Detection and first-symptom marks (clock.ts); the merged timeline turns them into rows and the clock. */
  marks: IncidentMark[];
  /** Roles named in notes (`role: IC`). */
  roles: Role[];
}

const mask = createRedactor([]);

export function buildTimeline(events: Iterable<RunEvent | UnknownEvent>): TimelineModel {
  const builder = createTimelineBuilder();
  for (const event of events) builder.add(event);
  return builder.finish();
}

export interface TimelineBuilder {
  add(event: RunEvent | UnknownEvent): void;
  finish(): TimelineModel;
}

/** Events in, one at a time (a reader can stream them without keeping them); the model out at the end. */
export function createTimelineBuilder(): TimelineBuilder {
  const header = createRunHeader();
  const rows = createRowBuilder(header);
  const marks: IncidentMark[] = [];
  const roles: Role[] = [];
  const add = (input: RunEvent | UnknownEvent) => {
    const event = input as RunEvent;
    header.add(event);
    rows.add(event);
    const found = marksOf(event);
    if (found.mark) marks.push(found.mark);
    if (found.role) roles.push(found.role);
  };

  const finish = (): TimelineModel => {
    const built = rows.finish();
    const model: TimelineModel = { ...header.finish(), ...built, marks, roles };
    const markers = [...budgetMarkers(model, header.origin), ...escalationMarker(model, header.origin)];
    if (markers.length) {
      // Stable: a marker goes after the rows of the same millisecond.
      model.rows = [...model.rows, ...markers].map((row, index) => ({ row, index })).sort((a, b) => a.row.elapsedMs - b.row.elapsedMs || a.index - b.index).map((x) => x.row);
    }
    // The transcript is masked already; a URL password that got in by hand is masked here too.
    for (const row of model.rows) {
      row.run ??= model.run;
      row.action = mask(row.action);
      row.result = mask(row.result);
      row.details = redactDeep(row.details, mask);
    }
    return model;
  };
  return { add, finish };
}
