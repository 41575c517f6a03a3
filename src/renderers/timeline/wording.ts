/** The words of a timeline row: what an incident review needs to read, in one line. */
import type { CellFinished, CellStatus, OperatorDecision, SqlResult } from '../../engine/events.js';
import { finishedPhrase, statusCounts } from '../text/status.js';
import { errorHeadline, saysOnlyExitCode } from '../text/cell-error.js';

const AFFECTING = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY']);
const MAX_STATEMENTS = 6;

export interface StatementSummary {
  index: number;
  title?: string;
  command: string;
  rowCount: number;
  text: string;
}

/** `Who am I?: 1 row`, `UPDATE 12 rows affected`, `CREATE TABLE`. */
export function statementSummary(result: SqlResult): StatementSummary {
  const command = (result.command || '?').toUpperCase();
  const rows = `${result.rowCount} ${result.rowCount === 1 ? 'row' : 'rows'}`;
  let what: string;
  if (AFFECTING.has(command)) what = `${command} ${rows} affected`;
  else if (command === 'SELECT' || result.columns.length) what = `${rows} returned`;
  else what = command;
  const text = result.title ? `${result.title}: ${what}` : what;
  return { index: result.index, ...(result.title ? { title: result.title } : {}), command, rowCount: result.rowCount, text };
}

/** `failed after 12 ms: relation "x" does not exist (SQLSTATE 42P01)`, `succeeded in 2 s · exit 0`, `skipped (dry run)`. */
export function finishedText(event: CellFinished): string {
  const error = event.error && !saysOnlyExitCode(event) ? errorHeadline(event.error) : '';
  return `${finishedPhrase(event)}${error ? `: ${error}` : ''}`;
}

/** The cell row's result: its status and what its statements returned or affected. */
export function cellResult(event: CellFinished, results: SqlResult[]): string {
  const head = finishedText(event);
  if (!results.length) return head;
  const texts = results.map((r) => statementSummary(r).text);
  const shown = texts.slice(0, MAX_STATEMENTS);
  const more = texts.length > MAX_STATEMENTS ? `; and ${texts.length - MAX_STATEMENTS} more statements` : '';
  return `${head}. ${shown.join('; ')}${more}`;
}

/** `: 2 succeeded, 1 failed`, or nothing when no cell finished. */
export function counted(counts: Partial<Record<CellStatus, number>>): string {
  const text = statusCounts(counts);
  return text ? `: ${text}` : '';
}

/**
 * A decision's row. `run` has none of its own: the cell row that follows carries its
 * actor, so an unattended run is not two rows per cell.
 */
export function decisionRow(event: OperatorDecision): { action: string; result: string; details: Record<string, unknown> } | undefined {
  const details: Record<string, unknown> = { action: event.action, cell: event.cell };
  switch (event.action) {
    case 'run':
      return undefined;
    case 'edit':
      return { action: 'edited the cell', result: firstLine(event.source ?? ''), details: { ...details, source: event.source, previous: event.previous } };
    case 'jump':
      return { action: 'jumped', result: `to ${event.to ?? '?'}`, details: { ...details, to: event.to } };
    case 'confirm':
      return { action: 'confirmed a write', result: 'typed the target name', details: { ...details, by: event.by ?? 'typed' } };
    case 'allow-write':
      return { action: 'write allowed by flag', result: `${event.flag ?? '--allow-writes'} on the command line; nobody typed a confirmation`, details: { ...details, flag: event.flag } };
    case 'skip':
      return { action: 'chose skip', result: '', details };
    default:
      return { action: `chose ${event.action}`, result: '', details };
  }
}

function firstLine(text: string): string {
  const lines = text.trim().split('\n');
  const first = lines[0] ?? '';
  return lines.length > 1 || first.length > 80 ? `${first.slice(0, 80)}…` : first;
}

/** ` with JOB_TYPE=send_notice, GOOD_SHA=abc1234`: the values a cell used (secrets arrive masked). */
export function valuesText(values: Record<string, string>): string {
  const pairs = Object.entries(values).map(([name, value]) => `${name}=${value}`);
  return pairs.length ? ` with ${pairs.join(', ')}` : '';
}
