/**
 * The lines the plain renderer prints for each kind of event, as pure functions of the
 * event (and the run's header), so a replay prints exactly what the live run printed.
 */
import { maskUrl } from '../../engine/redact.js';
import type {
  CellFinished, OperatorDecision, OperatorNote, PreflightEvent, RunFinished, RunResumed, RunStarted, SqlResult, VariableBound,
} from '../../engine/events.js';
import { duration } from '../text/time.js';
import { STATUS_GLYPH, finishedPhrase, statusCounts } from '../text/status.js';
import { finishedErrorLines } from '../text/cell-error.js';
import { commandTag, formatTable, rowCountFooter } from '../table.js';
import type { Style } from './style.js';
import { notRunSummary } from '../outcome.js';

const INDENT = '  ';
/** Commands whose tag psql prints with a row count. */

export function targetBadge(target: RunStarted['target'], style: Style): string {
  if (target.kind === 'sandbox') return style.badge('SANDBOX', 'safe');
  if (target.kind === 'postgres') return style.badge('PRODUCTION', 'danger');
  return style.badge('NO DATABASE', 'neutral');
}

export function headerLines(event: RunStarted, style: Style, transcriptPath?: string): string[] {
  const url = event.target.url ? ` ${maskUrl(event.target.url)}` : '';
  const name = event.target.name && event.target.kind !== 'none' && event.target.name !== 'sandbox' ? ` (${event.target.name})` : '';
  const lines = [
    style.bold(event.runbook.title || event.runbook.path),
    `${INDENT}runbook:    ${event.runbook.path}`,
    `${INDENT}target:     ${targetBadge(event.target, style)}${url}${name}`,
    `${INDENT}run:        ${event.run} · ${event.mode} · ${event.actor} on ${event.host}`,
  ];
  if (transcriptPath) lines.push(`${INDENT}transcript: ${transcriptPath}`);
  if (event.mode === 'dry-run') lines.push(style.yellow(`${INDENT}DRY RUN: every cell is shown as it would run; nothing is executed`));
  return [...lines, ''];
}

export function resumedLines(event: RunResumed): string[] {
  const from = event.from ? `, from [${event.from}]` : '';
  return ['', `↻ run ${event.run} resumed by ${event.actor} on ${event.host}${from}`, ''];
}

export function preflightLines(event: PreflightEvent, style: Style): string[] {
  const problems = event.problems.map((p) => {
    const named = p.cells.every((cell) => p.message.includes(cell));
    const cells = p.cells.length && !named ? ` (cells: ${p.cells.join(', ')})` : '';
    return p.fatal ? style.red(`${STATUS_GLYPH.failed} preflight: ${p.message}${cells}`) : style.yellow(`⚠ preflight: ${p.message}${cells}`);
  });
  return [...problems, ...needsLines(event.needs ?? [])];
}

/** What each cell calls, found or missing: `needs [4-verification]: curl (found), jq (missing)`. */
function needsLines(needs: NonNullable<PreflightEvent['needs']>): string[] {
  const byCell = new Map<string, string[]>();
  for (const need of needs) byCell.set(need.cell, [...(byCell.get(need.cell) ?? []), `${need.name} (${need.found ? 'found' : 'missing'})`]);
  return [...byCell].map(([cell, list]) => `${INDENT}needs [${cell}]: ${list.join(', ')}`);
}

export function variableLine(event: VariableBound): string {
  const value = event.secret || event.value === undefined ? '********' : event.value;
  return `${INDENT}${event.name} = ${value} (${event.source})`;
}

/** The section path without the document title, which every cell shares. */
export function sectionLabel(section: string[], title: string | undefined): string {
  const path = section[0] === title ? section.slice(1) : section;
  return path.join(' › ');
}

export function sqlResultLines(event: SqlResult, style: Style, maxColumnWidth: number): string[] {
  const lines: string[] = [];
  if (event.title) lines.push(style.dim(`-- ${event.title}`));
  const command = (event.command || '').toUpperCase();
  const tag = commandTag(command, event.rowCount);
  if (event.columns.length) {
    lines.push(...formatTable(event.columns, event.rows, { maxColumnWidth }));
    lines.push(rowCountFooter(event.rowCount, event.rows.length, event.truncated));
    if (command !== 'SELECT' && tag) lines.push(tag);
  } else if (tag) {
    lines.push(tag);
  }
  return [...lines.map((line) => INDENT + line), ''];
}

export function finishedLines(event: CellFinished, style: Style, started: boolean): string[] {
  const id = started ? '' : ` [${event.cell}]`;
  const errorText = finishedErrorLines(event).map(({ text, tone }) => (tone === 'error' ? style.red(INDENT + text) : INDENT + text));
  const line = `${STATUS_GLYPH[event.status] ?? '?'}${id} ${finishedPhrase(event)}`;
  const paint = event.status === 'succeeded' ? style.green : event.status === 'failed' || event.status === 'timed-out' ? style.red : style.yellow;
  return [...errorText, paint(line), ''];
}

export function decisionLine(event: OperatorDecision): string | undefined {
  switch (event.action) {
    case 'run':
      return undefined; // the ▶ line that follows says it
    case 'edit':
      return `» ${event.actor} edited [${event.cell}]`;
    case 'jump':
      return `» ${event.actor} jumped from [${event.cell}] to [${event.to ?? '?'}]`;
    case 'confirm':
      return `» ${event.actor} confirmed the write in [${event.cell}] by typing the target's name`;
    case 'allow-write':
      return `» write in [${event.cell}] allowed by ${event.flag ?? '--allow-writes'} (run by ${event.actor}; nobody confirmed it at the keyboard)`;
    default:
      return `» ${event.actor}: ${event.action} [${event.cell}]`;
  }
}

export function summaryLines(event: RunFinished, style: Style): string[] {
  const counts = statusCounts(event.counts);
  const line = `Run ${event.status} in ${duration(event.durationMs)}${counts ? `: ${counts}` : ''}`;
  const paint = event.status === 'succeeded' ? style.green : event.status === 'failed' ? style.red : style.yellow;
  const notRun = notRunSummary(event.notRun ?? [], event.selected);
  return ['', paint(style.bold(line)), ...(notRun ? [paint(notRun)] : [])];
}

export function noteLines(event: OperatorNote): string[] {
  const [first = '', ...rest] = event.text.replace(/\r\n/g, '\n').split('\n');
  return [`✎ ${event.actor}${event.cell ? ` [${event.cell}]` : ''}: ${first}`, ...rest.map((line) => `${INDENT}${line}`)];
}

export function indentBlock(text: string, prefix = INDENT): string[] {
  return text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n').map((line) => prefix + line);
}
