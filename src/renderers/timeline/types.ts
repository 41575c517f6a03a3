/**
 * The shapes a timeline is made of — its rows, the cells' spans for the chart, the
 * checklist's ticks — apart from the model that builds them, so the builders (rows,
 * header, clock, markers, fold) can name them without importing the model that imports them.
 */
import type { CellStatus } from '../../engine/events.js';
import type { Lang } from '../../engine/runbook.js';

export type RowKind =
  | 'run.started' | 'run.resumed' | 'preflight' | 'cell' | 'skips' | 'decision' | 'note'
  | 'first-failure' | 'budget-overrun' | 'escalation' | 'run.finished' | 'transcript.ended' | 'detected' | 'first-symptom';

export interface TimelineRow {
  kind: RowKind;
  /** ISO 8601 UTC. */
  at: string;
  elapsedMs: number;
  actor: string;
  /** The run id, for timelines that merge several runs. */
  run?: string;
  /** The cell id, when the row is about one cell. */
  step?: string;
  section?: string[];
  action: string;
  result: string;
  /** Structured facts for the JSON export. */
  details: Record<string, unknown>;
}

export interface CellSpan {
  cell: string;
  attempt: number;
  lang: Lang;
  section: string[];
  startMs: number;
  endMs: number;
  status: CellStatus | 'unfinished';
}

export interface Tick {
  item: string;
  checked: boolean;
  actor: string;
  at: string;
  line: number;
}
