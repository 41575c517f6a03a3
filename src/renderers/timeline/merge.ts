/**
 * One incident, several responders: the timelines of several runs (each responder's
 * transcript, a run and its resumes) merged into one, ordered by time, every row
 * carrying its run and actor. Each run is still built on its own (its chain, its
 * outcome); only the rows, ticks and clock are shared. `timeline --log` builds on this.
 */
import type { RunEvent, UnknownEvent } from '../../engine/events.js';
import { incidentClock, markRows, type IncidentClock, type Role } from './clock.js';
import { buildTimeline, type CellSpan, type Tick, type TimelineModel, type TimelineRow } from './model.js';

export interface MergedTimeline {
  /** Every run, in order of its first event. */
  runs: TimelineModel[];
  /** All rows of all runs by time (ties keep each run's order), elapsed from the earliest run's start. */
  rows: TimelineRow[];
  /** Every run's ticks by time, so the checklist shows the final state across responders. */
  ticks: Tick[];
  spans: CellSpan[];
  actors: string[];
  /** Who held which role, from the notes (`role: IC`). */
  roles: Role[];
  /** The incident's clock: where it starts (first symptom, detection or RUN STARTED) and its milestones. */
  clock?: IncidentClock;
  startedAt: string;
  endedAt: string;
  durationMs: number;
}

/** Builds each stream's model, then merges them. */
export function buildMergedTimeline(streams: Iterable<Iterable<RunEvent | UnknownEvent>>): MergedTimeline {
  return mergeTimelines([...streams].map((events) => buildTimeline(events)));
}

export function mergeTimelines(models: TimelineModel[]): MergedTimeline {
  const runs = models.filter((m) => m.startedAt).sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  const marks = runs.flatMap((m) => m.marks ?? []);
  // The clock starts at the first symptom or detection when they came before the first run.
  const origin = Math.min(...[...runs.map((m) => m.startedAt), ...marks.map((m) => m.at)].map((at) => Date.parse(at)).filter(Number.isFinite));
  const start = Number.isFinite(origin) ? origin : 0;
  const ordered = runs
    .flatMap((model, runIndex) => model.rows.map((row, index) => ({ row: { ...row, run: row.run ?? model.run }, runIndex, index })))
    .sort((a, b) => Date.parse(a.row.at) - Date.parse(b.row.at) || a.runIndex - b.runIndex || a.index - b.index)
    .map(({ row }) => row);
  // A mark goes before the rows of its own millisecond: it is what they answer.
  const rows = [...markRows(marks).map((row) => ({ row, first: 0 })), ...ordered.map((row) => ({ row, first: 1 }))]
    .map((entry, index) => ({ ...entry, index }))
    .sort((a, b) => Date.parse(a.row.at) - Date.parse(b.row.at) || a.first - b.first || a.index - b.index)
    .map(({ row }) => ({ ...row, elapsedMs: (Date.parse(row.at) || start) - start }));
  const clock = incidentClock(ordered, runs.map((m) => m.started?.ts ?? m.startedAt), marks);
  const ends = runs.map((m) => Date.parse(m.endedAt)).filter(Number.isFinite);
  const end = ends.length ? Math.max(...ends) : start;
  // The chart counts from the first run's start, as its title says.
  const runStart = Math.min(...runs.map((m) => Date.parse(m.startedAt)).filter(Number.isFinite));
  const spans = runs.flatMap((model) => {
    const shift = (Date.parse(model.startedAt) || runStart) - runStart;
    return model.spans.map((span) => ({ ...span, startMs: span.startMs + shift, endMs: span.endMs + shift }));
  });
  return {
    runs,
    rows,
    ticks: runs.flatMap((m) => m.ticks).sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
    spans,
    actors: [...new Set(runs.flatMap((m) => m.actors))],
    roles: runs.flatMap((m) => m.roles ?? []),
    ...(clock ? { clock } : {}),
    startedAt: runs[0]?.startedAt ?? '',
    endedAt: new Date(end).toISOString(),
    durationMs: Math.max(0, end - start),
  };
}
