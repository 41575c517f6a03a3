/**
 * The run header of a timeline: the facts about the run as a whole (which run, started by
 * whom and where, when it started and ended, how it ended, cells by status, what did not
 * run), the clock every row's elapsed time counts on, and the wording of the rows that mark
 * the run itself (RUN STARTED, RUN RESUMED, RUN ENDED). The rows are built beside it (rows.ts).
 */
import type { CellStatus, NotRun, RunEvent, RunFinished, RunResumed, RunStarted, RunStatus } from '../../engine/events.js';
import { notRunSummary } from '../outcome.js';
import type { TimelineRow } from './types.js';
import { counted } from './wording.js';

export interface RunHeader {
  run?: string;
  started?: RunStarted;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** `unfinished` when the transcript has no run.finished after its last start (killed, or still going). */
  outcome: RunStatus | 'unfinished';
  counts: Partial<Record<CellStatus, number>>;
  /** Selected cells that did not run, from the last run.finished. */
  notRun: NotRun[];
  selected?: number;
}

export interface RunHeaderTracker {
  /** Every event, before the rows see it. */
  add(event: RunEvent): void;
  /** Who acts on the run now: the actor of its last start or resume. */
  readonly actor: string;
  /** The first event's time in ms (0 when unreadable): rows count their elapsed time from it. */
  readonly origin: number;
  readonly last: RunEvent | undefined;
  readonly outcome: RunHeader['outcome'];
  /** A row's time: the event's stamp and the ms since the first event. */
  at(event: RunEvent): { at: string; elapsedMs: number };
  /** The header once every event is in (end, duration, counts). */
  finish(): RunHeader;
}

export function createRunHeader(): RunHeaderTracker {
  let origin = 0;
  let first: RunEvent | undefined;
  let last: RunEvent | undefined;
  let actor = '';
  const header: RunHeader = { startedAt: '', endedAt: '', durationMs: 0, outcome: 'unfinished', counts: {}, notRun: [] };
  const statuses = new Map<string, CellStatus>();
  return {
    get actor() {
      return actor;
    },
    get origin() {
      return origin;
    },
    get last() {
      return last;
    },
    get outcome() {
      return header.outcome;
    },
    at: (event) => ({ at: event.ts, elapsedMs: (Date.parse(event.ts) || origin) - origin }),
    add(event) {
      if (!first) {
        first = event;
        origin = Date.parse(event.ts) || 0;
        header.startedAt = event.ts;
      }
      last = event;
      switch (event.type) {
        case 'run.started':
          header.started = event;
          header.run = event.run;
          header.startedAt = event.ts;
          actor = event.actor;
          header.outcome = 'unfinished';
          break;
        case 'run.resumed':
          actor = event.actor;
          header.run ??= event.run;
          header.outcome = 'unfinished';
          break;
        case 'cell.finished':
          statuses.set(event.cell, event.status);
          break;
        case 'run.finished':
          header.outcome = event.status;
          header.notRun = event.notRun ?? [];
          if (event.selected !== undefined) header.selected = event.selected;
          break;
        default:
          break;
      }
    },
    finish() {
      header.endedAt = last?.ts ?? '';
      for (const status of statuses.values()) header.counts[status] = (header.counts[status] ?? 0) + 1;
      header.durationMs = Math.max(0, (Date.parse(header.endedAt) || origin) - (Date.parse(header.startedAt) || origin));
      return header;
    },
  };
}

/** The row that marks a start, a resume or the end of the run. */
export function runRow(event: RunStarted | RunResumed | RunFinished, at: { at: string; elapsedMs: number }, actor: string): TimelineRow {
  switch (event.type) {
    case 'run.started':
      return { kind: 'run.started', ...at, actor, action: 'RUN STARTED', result: startedText(event), details: { runbook: event.runbook, target: event.target, mode: event.mode, host: event.host, argv: event.argv } };
    case 'run.resumed':
      return { kind: 'run.resumed', ...at, actor, action: 'RUN RESUMED', result: `on ${event.host}${event.from ? `, from ${event.from}` : ''}`, details: { host: event.host, from: event.from, argv: event.argv } };
    case 'run.finished':
      return { kind: 'run.finished', ...at, actor, action: 'RUN ENDED', result: `${event.status}${counted(event.counts)}${notRunNote(event.notRun ?? [], event.selected)}`, details: { status: event.status, durationMs: event.durationMs, counts: event.counts, selected: event.selected, notRun: event.notRun ?? [] } };
  }
}

function startedText(event: RunStarted): string {
  const badge = event.target.kind === 'sandbox' ? 'SANDBOX' : event.target.kind === 'postgres' ? 'PRODUCTION' : 'no database';
  const name = shownTargetName(event.target, badge) ? ` ${event.target.name}` : '';
  return `${event.mode === 'dry-run' ? 'dry run' : `${event.mode} run`} against ${badge}${name}`;
}

/** The target's name, unless it only repeats the badge (`SANDBOX sandbox`) or there is no database. */
export function shownTargetName(target: RunStarted['target'], badge: string): boolean {
  return target.kind !== 'none' && Boolean(target.name) && target.name.toLowerCase() !== badge.toLowerCase();
}

/** ` (5 of 7 cells did not run: pwsh not found (4), cancelled (1))`, or nothing. */
function notRunNote(notRun: NotRun[], selected: number | undefined): string {
  const summary = notRunSummary(notRun, selected);
  return summary ? ` (${summary})` : '';
}
