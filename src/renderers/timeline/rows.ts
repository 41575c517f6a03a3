/**
 * The rows of a timeline, built as the events come: a row per cell attempt, edit,
 * authorisation, note and preflight problem, the first failure, the rows that mark the run
 * (worded by header.ts), plus the cell spans for the Gantt chart and what the run ticked.
 *
 * Choices that change nothing by themselves (a jump, a retry, a skip, a cancel) are not
 * rows: they are folded into the row of the cell they led to. Skips nobody chose (the
 * runbook's `skip`, a missing interpreter) become one row per reason (fold.ts).
 */
import type { CellFinished, RunEvent, SqlResult, TargetChanged } from '../../engine/events.js';
import { changeText, databaseText, DatabaseTracker } from './database.js';
import { unifiedDiff } from './diff.js';
import { OutputCollector, outputBudget, statementResult, type Evidence } from './evidence.js';
import { choiceText, groupAutoSkips, type Choice } from './fold.js';
import { runRow, type RunHeaderTracker } from './header.js';
import type { CellSpan, Tick, TimelineRow } from './types.js';
import { cellResult, decisionRow, finishedText, statementSummary, valuesText } from './wording.js';

export interface TimelineRows {
  rows: TimelineRow[];
  spans: CellSpan[];
  ticks: Tick[];
  /** Everyone who did something, in order of their first row or tick. */
  actors: string[];
}

export interface RowBuilder {
  /** Every event, after the header has seen it. */
  add(event: RunEvent): void;
  finish(): TimelineRows;
}

interface OpenCell {
  row: TimelineRow;
  span: CellSpan;
  results: SqlResult[];
  output: OutputCollector;
}

const FAILED: ReadonlySet<string> = new Set(['failed', 'timed-out']);

export function createRowBuilder(header: RunHeaderTracker): RowBuilder {
  const built: TimelineRows = { rows: [], spans: [], ticks: [], actors: [] };
  const actors = new Set<string>();
  const open = new Map<string, OpenCell>();
  const lastDecider = new Map<string, string>();
  /** Folded choices waiting for the row of the cell they lead to. */
  const pending = new Map<string, Choice[]>();
  const effects = new Map<string, 'read' | 'write'>();
  const sections = new Map<string, string[]>();
  let failureMarked = false;
  const budget = outputBudget();
  const databases = new DatabaseTracker();
  const push = (row: TimelineRow) => {
    built.rows.push(row);
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
  /** Attempts a kill left without an end, until a resume settles them from the server's word. */
  const killed = new Map<string, OpenCell>();
  /** Cells still running when their run stopped (killed): they end at the last event before it. */
  const closeOpen = () => {
    const previousMs = Date.parse(previousTs) || header.origin;
    for (const cell of open.values()) {
      cell.span.endMs = Math.max(cell.span.startMs, previousMs - header.origin);
      cell.row.result = 'did not finish: the run stopped while it ran';
      const output = cell.output.output();
      if (output) cell.row.details.output = output;
      killed.set(cell.span.cell, cell);
    }
    open.clear();
  };

  const add = (event: RunEvent) => {
    const at = () => header.at(event);
    const actor = header.actor;
    switch (event.type) {
      case 'run.started':
        databases.started(event);
        for (const cell of event.cells ?? []) {
          if (cell.effect) effects.set(cell.id, cell.effect);
          sections.set(cell.id, cell.section);
        }
        push(runRow(event, at(), actor));
        break;
      case 'run.resumed':
        closeOpen();
        push(runRow(event, at(), actor));
        break;
      case 'run.preflight':
        if (event.problems.length) {
          push({ kind: 'preflight', ...at(), actor, action: 'preflight', result: event.problems.map((p) => p.message).join('; '), details: { problems: event.problems } });
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
          if (row) push({ kind: 'decision', ...at(), actor: event.actor, step: event.cell, ...row });
        }
        break;
      }
      case 'cell.started': {
        const who = lastDecider.get(event.cell) ?? actor;
        const values = event.values ?? {};
        // The attempt's own plan (an edit can turn a read into a write); older transcripts only have the run's.
        const effect = event.effect ?? effects.get(event.cell);
        const write = effect === 'write';
        const database = databases.reached(event.lang);
        const row = push({
          kind: 'cell', ...at(), actor: who, step: event.cell, section: event.section,
          action: `${event.attempt > 1 ? `retried (attempt ${event.attempt})` : event.background ? 'started' : 'ran'} ${event.lang} cell${event.background ? ' in the background' : ''}, line ${event.line}${databaseText(database)}${valuesText(values)}`,
          result: 'did not finish',
          details: {
            cell: event.cell, lang: event.lang, line: event.line, section: event.section, attempt: event.attempt, source: event.source, status: 'unfinished',
            values, effect: effect ?? null, ...(write ? { written: event.source } : {}), ...(database ? { database } : {}),
          },
        });
        fold(row, takeChoices(event.cell));
        const start = Date.parse(event.ts) - header.origin;
        const span: CellSpan = { cell: event.cell, attempt: event.attempt, lang: event.lang, section: event.section, startMs: start, endMs: start, status: 'unfinished' };
        built.spans.push(span);
        open.set(event.cell, { row, span, results: [], output: new OutputCollector(budget) });
        break;
      }
      case 'sql.result':
        open.get(event.cell)?.results.push(event);
        break;
      case 'cell.output':
        open.get(event.cell)?.output.add(event.stream, event.data);
        break;
      case 'target.changed': {
        databases.changed(event);
        const row = open.get(event.cell)?.row;
        if (row) row.details.targetChanges = [...((row.details.targetChanges as unknown[] | undefined) ?? []), { name: event.name, from: event.from, to: event.to, reset: event.reset }];
        break;
      }
      case 'cell.output.spilled':
        open.get(event.cell)?.output.spilled(event.path);
        break;
      case 'cell.finished': {
        const settledKill = event.evidence ? killed.get(event.cell) : undefined;
        if (settledKill) {
          // A killed attempt, settled by resume from what the server said: its own row says how it ended.
          killed.delete(event.cell);
          settledKill.span.status = event.status;
          settledKill.row.result = `${event.status}: ${event.reason ?? ''}`;
          Object.assign(settledKill.row.details, { status: event.status, reason: event.reason, transaction: event.evidence });
          break;
        }
        const cell = open.get(event.cell);
        open.delete(event.cell);
        const statements = (cell?.results ?? []).map(statementSummary);
        const details = { status: event.status, durationMs: event.durationMs, exitCode: event.exitCode, error: event.error, reason: event.reason, statements };
        if (cell) {
          cell.span.endMs = Date.parse(event.ts) - header.origin;
          cell.span.status = event.status;
          const changes = (cell.row.details.targetChanges as TargetChanged[] | undefined) ?? [];
          cell.row.result = `${cellResult(event, cell.results)}${changes.map((change) => `; ${changeText(change)}`).join('')}`;
          if (event.status === 'skipped') cell.row.action = `showed ${cell.span.lang} cell, line ${cell.row.details.line as number}`;
          Object.assign(cell.row.details, details, evidenceOf(cell, event));
        } else {
          const choices = takeChoices(event.cell);
          const chosen = choices.some((c) => c.action === 'skip');
          const row = push({
            kind: 'cell', ...at(), actor: lastDecider.get(event.cell) ?? actor, step: event.cell,
            ...(sections.has(event.cell) ? { section: sections.get(event.cell) } : {}),
            action: chosen ? 'skipped by the operator' : 'skipped', result: event.reason ?? '',
            details: { cell: event.cell, ...details, auto: !chosen },
          });
          fold(row, choices.filter((c) => c.action !== 'skip'));
        }
        if (FAILED.has(event.status) && !failureMarked) {
          failureMarked = true;
          const evidence = cell?.row.details.evidence as Evidence | undefined;
          // A SQL error's message is in the result already; what the cell printed is not.
          const why = evidence && evidence.from !== 'error' ? evidence.lines[0] : undefined;
          push({
            kind: 'first-failure', ...at(), actor: cell?.row.actor ?? actor, step: event.cell, action: 'FIRST FAILURE', result: `${finishedText(event)}${why ? ` — ${why}` : ''}`,
            details: { cell: event.cell, status: event.status, error: event.error, exitCode: event.exitCode, ...(why ? { reason: why } : {}) },
          });
        }
        break;
      }
      case 'operator.note':
        push({ kind: 'note', ...at(), actor: event.actor, ...(event.cell ? { step: event.cell } : {}), action: 'note', result: event.text, details: { text: event.text } });
        break;
      case 'checklist.ticked':
        // The final state goes to the checklist section; tick/untick pairs are not rows.
        built.ticks.push({ item: event.item, checked: event.checked, actor: event.actor, at: event.ts, line: event.line });
        if (event.actor) actors.add(event.actor);
        break;
      case 'run.finished':
        push(runRow(event, at(), actor));
        break;
      default:
        break; // cell output, variables and types this version does not know are not timeline rows
    }
    previousTs = event.ts;
  };

  const finish = (): TimelineRows => {
    closeOpen();
    const last = header.last;
    if (last && header.outcome === 'unfinished') {
      push({ kind: 'transcript.ended', ...header.at(last), actor: header.actor, action: 'TRANSCRIPT ENDS', result: 'no RUN ENDED after this: the run was killed, or is still going', details: { lastSeq: last.seq } });
    }
    built.rows = groupAutoSkips(built.rows);
    built.actors = [...actors];
    return built;
  };
  return { add, finish };
}

/** What the attempt printed: the row's excerpt, the output for the appendix, the SQL results for tables. */
function evidenceOf(cell: OpenCell, event: CellFinished): Record<string, unknown> {
  const evidence = cell.output.evidence(event, cell.results);
  const output = cell.output.output();
  return {
    ...(evidence ? { evidence } : {}),
    ...(output ? { output } : {}),
    ...(cell.results.length ? { results: cell.results.map(statementResult) } : {}),
  };
}
