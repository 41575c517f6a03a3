/**
 * The postmortem's view of a transcript: one pass over the events builds the header
 * facts, the rows (a row per cell attempt, edit, authorisation, note, plus markers), the
 * cell spans for the Gantt chart and what the run ticked. Markdown, JSON and the chart
 * are all drawn from this, so they cannot disagree.
 *
 * Choices that change nothing by themselves (a jump, a retry, a skip, a cancel) are not
 * rows: they are folded into the row of the cell they led to. Skips nobody chose (the
 * runbook's `skip`, a missing interpreter) become one row per reason (fold.ts). Budget
 * overruns and the escalation time are markers (markers.ts).
 */
import type { CellStatus, NotRun, RunEvent, RunStarted, RunStatus, SqlResult, UnknownEvent } from '../../engine/events.js';
import { createRedactor, redactDeep } from '../../engine/redact.js';
import type { Lang } from '../../engine/runbook.js';
import { unifiedDiff } from './diff.js';
import { choiceText, groupAutoSkips, type Choice } from './fold.js';
import { budgetMarkers, escalationMarker } from './markers.js';
import { notRunSummary } from '../outcome.js';
import { cellResult, counted, decisionRow, finishedText, statementSummary, valuesText } from './wording.js';

export type RowKind =
  | 'run.started' | 'run.resumed' | 'preflight' | 'cell' | 'skips' | 'decision' | 'note'
  | 'first-failure' | 'budget-overrun' | 'escalation' | 'run.finished' | 'transcript.ended';

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

export interface TimelineModel {
  run?: string;
  started?: RunStarted;
  actors: string[];
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** `unfinished` when the transcript has no run.finished after its last start (killed, or still going). */
  outcome: RunStatus | 'unfinished';
  counts: Partial<Record<CellStatus, number>>;
  /** Selected cells that did not run, from the last run.finished. */
  notRun: NotRun[];
  selected?: number;
  rows: TimelineRow[];
  spans: CellSpan[];
  ticks: Tick[];
}

interface OpenCell {
  row: TimelineRow;
  span: CellSpan;
  results: SqlResult[];
}

const mask = createRedactor([]);
const FAILED: ReadonlySet<string> = new Set(['failed', 'timed-out']);

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
  let origin = 0;
  let first: RunEvent | undefined;
  let last: RunEvent | undefined;
  const model: TimelineModel = {
    actors: [], startedAt: '', endedAt: '', durationMs: 0,
    outcome: 'unfinished', counts: {}, notRun: [], rows: [], spans: [], ticks: [],
  };
  const actors = new Set<string>();
  const open = new Map<string, OpenCell>();
  const lastDecider = new Map<string, string>();
  /** Folded choices waiting for the row of the cell they lead to. */
  const pending = new Map<string, Choice[]>();
  const statuses = new Map<string, CellStatus>();
  const effects = new Map<string, 'read' | 'write'>();
  const sections = new Map<string, string[]>();
  let actor = '';
  let failureMarked = false;
  const at = (event: RunEvent) => ({ at: event.ts, elapsedMs: (Date.parse(event.ts) || origin) - origin });
  const push = (row: TimelineRow) => {
    model.rows.push(row);
    if (row.actor) actors.add(row.actor);
    return row;
  };
  const takeChoices = (cell: string): Choice[] => {
    const choices = pending.get(cell) ?? [];
    pending.delete(cell);
    return choices;
  };
  /** A row's action before choices were folded into it, so later ones join the same parentheses. */
  const bareAction = new Map<TimelineRow, string>();
  const fold = (row: TimelineRow, choices: Choice[]) => {
    if (!choices.length) return;
    const all = [...((row.details.choices as Choice[] | undefined) ?? []), ...choices];
    if (!bareAction.has(row)) bareAction.set(row, row.action);
    row.details.choices = all;
    row.action = `${bareAction.get(row) as string} (${all.map(choiceText).join('; ')})`;
  };
  let previousTs = '';
  /** Cells still running when their run stopped (killed): they end at the last event before it. */
  const closeOpen = () => {
    const previousMs = Date.parse(previousTs) || origin;
    for (const cell of open.values()) {
      cell.span.endMs = Math.max(cell.span.startMs, previousMs - origin);
      cell.row.result = 'did not finish: the run stopped while it ran';
    }
    open.clear();
  };

  const add = (input: RunEvent | UnknownEvent) => {
    const event = input as RunEvent;
    if (!first) {
      first = event;
      origin = Date.parse(event.ts) || 0;
      model.startedAt = event.ts;
    }
    last = event;
    if (event.type === 'run.resumed') closeOpen();
    switch (event.type) {
      case 'run.started':
        model.started = event;
        model.run = event.run;
        model.startedAt = event.ts;
        actor = event.actor;
        model.outcome = 'unfinished';
        for (const cell of event.cells ?? []) {
          if (cell.effect) effects.set(cell.id, cell.effect);
          sections.set(cell.id, cell.section);
        }
        push({ kind: 'run.started', ...at(event), actor, action: 'RUN STARTED', result: startedText(event), details: { runbook: event.runbook, target: event.target, mode: event.mode, host: event.host, argv: event.argv } });
        break;
      case 'run.resumed':
        actor = event.actor;
        model.run ??= event.run;
        model.outcome = 'unfinished';
        push({ kind: 'run.resumed', ...at(event), actor, action: 'RUN RESUMED', result: `on ${event.host}${event.from ? `, from ${event.from}` : ''}`, details: { host: event.host, from: event.from, argv: event.argv } });
        break;
      case 'run.preflight':
        if (event.problems.length) {
          push({ kind: 'preflight', ...at(event), actor, action: 'preflight', result: event.problems.map((p) => p.message).join('; '), details: { problems: event.problems } });
        }
        break;
      case 'operator.decision': {
        lastDecider.set(event.cell, event.actor);
        const choice: Choice = { action: event.action, actor: event.actor, at: event.ts, ...(event.to ? { to: event.to } : {}) };
        if (event.action === 'jump' && event.to) pending.set(event.to, [...(pending.get(event.to) ?? []), { ...choice, from: event.cell }]);
        else if (event.action === 'cancel' && open.has(event.cell)) fold((open.get(event.cell) as OpenCell).row, [choice]);
        else if (event.action === 'retry' || event.action === 'skip') pending.set(event.cell, [...(pending.get(event.cell) ?? []), choice]);
        else {
          const row = decisionRow(event);
          if (row && event.action === 'edit' && event.previous !== undefined) {
            const diff = unifiedDiff(event.previous, event.source ?? '', event.cell);
            row.result = diff.text ? `+${diff.added} −${diff.removed} lines` : 'saved without changes';
            row.details.diff = diff.text;
          }
          if (row) push({ kind: 'decision', ...at(event), actor: event.actor, step: event.cell, ...row });
        }
        break;
      }
      case 'cell.started': {
        const who = lastDecider.get(event.cell) ?? actor;
        const values = event.values ?? {};
        const write = effects.get(event.cell) === 'write';
        const row = push({
          kind: 'cell', ...at(event), actor: who, step: event.cell, section: event.section,
          action: `${event.attempt > 1 ? `retried (attempt ${event.attempt})` : 'ran'} ${event.lang} cell, line ${event.line}${valuesText(values)}`,
          result: 'did not finish',
          details: {
            cell: event.cell, lang: event.lang, line: event.line, section: event.section, attempt: event.attempt, source: event.source, status: 'unfinished',
            values, effect: effects.get(event.cell) ?? null, ...(write ? { written: event.source } : {}),
          },
        });
        fold(row, takeChoices(event.cell));
        const start = Date.parse(event.ts) - origin;
        const span: CellSpan = { cell: event.cell, attempt: event.attempt, lang: event.lang, section: event.section, startMs: start, endMs: start, status: 'unfinished' };
        model.spans.push(span);
        open.set(event.cell, { row, span, results: [] });
        break;
      }
      case 'sql.result':
        open.get(event.cell)?.results.push(event);
        break;
      case 'cell.finished': {
        statuses.set(event.cell, event.status);
        const cell = open.get(event.cell);
        open.delete(event.cell);
        const statements = (cell?.results ?? []).map(statementSummary);
        const details = { status: event.status, durationMs: event.durationMs, exitCode: event.exitCode, error: event.error, reason: event.reason, statements };
        if (cell) {
          cell.span.endMs = Date.parse(event.ts) - origin;
          cell.span.status = event.status;
          cell.row.result = cellResult(event, cell.results);
          if (event.status === 'skipped') cell.row.action = `showed ${cell.span.lang} cell, line ${cell.row.details.line as number}`;
          Object.assign(cell.row.details, details);
        } else {
          const choices = takeChoices(event.cell);
          const chosen = choices.some((c) => c.action === 'skip');
          const row = push({
            kind: 'cell', ...at(event), actor: lastDecider.get(event.cell) ?? actor, step: event.cell,
            ...(sections.has(event.cell) ? { section: sections.get(event.cell) } : {}),
            action: chosen ? 'skipped by the operator' : 'skipped', result: event.reason ?? '',
            details: { cell: event.cell, ...details, auto: !chosen },
          });
          fold(row, choices.filter((c) => c.action !== 'skip'));
        }
        if (FAILED.has(event.status) && !failureMarked) {
          failureMarked = true;
          push({ kind: 'first-failure', ...at(event), actor: cell?.row.actor ?? actor, step: event.cell, action: 'FIRST FAILURE', result: finishedText(event), details: { cell: event.cell, status: event.status, error: event.error, exitCode: event.exitCode } });
        }
        break;
      }
      case 'operator.note':
        push({ kind: 'note', ...at(event), actor: event.actor, ...(event.cell ? { step: event.cell } : {}), action: 'note', result: event.text, details: { text: event.text } });
        break;
      case 'checklist.ticked':
        // The final state goes to the checklist section; tick/untick pairs are not rows.
        model.ticks.push({ item: event.item, checked: event.checked, actor: event.actor, at: event.ts, line: event.line });
        if (event.actor) actors.add(event.actor);
        break;
      case 'run.finished':
        model.outcome = event.status;
        model.notRun = event.notRun ?? [];
        if (event.selected !== undefined) model.selected = event.selected;
        push({ kind: 'run.finished', ...at(event), actor, action: 'RUN ENDED', result: `${event.status}${counted(event.counts)}${notRunNote(event.notRun ?? [], event.selected)}`, details: { status: event.status, durationMs: event.durationMs, counts: event.counts, selected: event.selected, notRun: event.notRun ?? [] } });
        break;
      default:
        break; // cell output, variables and types this version does not know are not timeline rows
    }
    previousTs = event.ts;
  };

  const finish = (): TimelineModel => {
    closeOpen();
    model.endedAt = last?.ts ?? '';
    if (last && model.outcome === 'unfinished') {
      push({ kind: 'transcript.ended', ...at(last), actor, action: 'TRANSCRIPT ENDS', result: 'no RUN ENDED after this: the run was killed, or is still going', details: { lastSeq: last.seq } });
    }
    model.rows = groupAutoSkips(model.rows);
    const markers = [...budgetMarkers(model, origin), ...escalationMarker(model, origin)];
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
    for (const status of statuses.values()) model.counts[status] = (model.counts[status] ?? 0) + 1;
    model.actors = [...actors];
    model.durationMs = Math.max(0, (Date.parse(model.endedAt) || origin) - (Date.parse(model.startedAt) || origin));
    return model;
  };
  return { add, finish };
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
