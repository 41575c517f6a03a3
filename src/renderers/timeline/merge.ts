/**
 * One incident, several responders: the timelines of several runs (each responder's
 * transcript, a run and its resumes) merged into one, ordered by time, every row
 * carrying its run and actor. Each run is still built on its own (its chain, its
 * outcome); only the rows, ticks and clock are shared. `timeline --log` builds on this.
 */
import type { RunEvent, UnknownEvent } from '../../engine/events.js';
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
  const origin = Math.min(...runs.map((m) => Date.parse(m.startedAt)).filter(Number.isFinite));
  const start = Number.isFinite(origin) ? origin : 0;
  const rows = runs
    .flatMap((model, runIndex) => model.rows.map((row, index) => ({ row: { ...row, run: row.run ?? model.run }, runIndex, index })))
    .sort((a, b) => Date.parse(a.row.at) - Date.parse(b.row.at) || a.runIndex - b.runIndex || a.index - b.index)
    .map(({ row }) => ({ ...row, elapsedMs: (Date.parse(row.at) || start) - start }));
  const ends = runs.map((m) => Date.parse(m.endedAt)).filter(Number.isFinite);
  const end = ends.length ? Math.max(...ends) : start;
  const spans = runs.flatMap((model) => {
    const shift = (Date.parse(model.startedAt) || start) - start;
    return model.spans.map((span) => ({ ...span, startMs: span.startMs + shift, endMs: span.endMs + shift }));
  });
  return {
    runs,
    rows,
    ticks: runs.flatMap((m) => m.ticks).sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
    spans,
    actors: [...new Set(runs.flatMap((m) => m.actors))],
    startedAt: runs[0]?.startedAt ?? '',
    endedAt: new Date(end).toISOString(),
    durationMs: Math.max(0, end - start),
  };
}
