/**
 * The lines the plain renderer prints for each kind of event, as pure functions of the
 * event (and the run's header), so a replay prints exactly what the live run printed.
 */
import { errorsSuffix } from '../errors-count.js';
import { maskUrl } from '../../engine/redact.js';
import type {
  CellFinished, OperatorDecision, OperatorNote, PreflightEvent, RunFinished, RunResumed, RunStarted, SqlResult, VariableBound,
} from '../../engine/events.js';
import { humanDuration } from '../durations.js';
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
    return p.fatal ? style.red(`✘ preflight: ${p.message}${cells}`) : style.yellow(`⚠ preflight: ${p.message}${cells}`);
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
  const exit = `${event.exitCode !== undefined ? ` · exit ${event.exitCode}` : ''}${errorsSuffix(event.errors)}`;
  const took = humanDuration(event.durationMs);
  const errorLines: string[] = [];
  if (event.error && !saysOnlyExitCode(event)) {
    const { code } = event.error;
    const label = !code || event.error.message.includes(code) ? '' : isSqlState(code) ? ` (SQLSTATE ${code})` : ` (${code})`;
    errorLines.push(style.red(`${INDENT}ERROR:  ${event.error.message}${label}`));
    if (event.error.detail) errorLines.push(`${INDENT}DETAIL:  ${event.error.detail}`);
    if (event.error.hint) errorLines.push(`${INDENT}HINT:  ${event.error.hint}`);
    if (event.error.line) errorLines.push(`${INDENT}at line ${event.error.line}`);
  }
  switch (event.status) {
    case 'succeeded':
      return [...errorLines, style.green(`✔${id} succeeded ${took}${exit}`), ''];
    case 'failed':
      return [...errorLines, style.red(`✘${id} failed after ${took}${exit}`), ''];
    case 'timed-out':
      return [...errorLines, style.red(`⏱${id} timed out after ${took}${exit}`), ''];
    case 'cancelled':
      return [...errorLines, style.yellow(`■${id} cancelled after ${took}${exit}${event.reason ? ` (${event.reason})` : ''}`), ''];
    case 'skipped':
      return [...errorLines, style.yellow(`↷${id} skipped${event.reason ? ` (${event.reason})` : ''}`), ''];
    default:
      return [...errorLines, `?${id} ${String((event as { status: unknown }).status)} after ${took}${exit}`, ''];
  }
}

/** SQLSTATEs are five digits or upper-case letters, e.g. 42P01, 57014. */
export function isSqlState(code: string): boolean {
  return /^[0-9A-Z]{5}$/.test(code);
}

/** A shell's `exit code 3` error says no more than the `exit 3` the status line shows. */
export function saysOnlyExitCode(event: CellFinished): boolean {
  return event.exitCode !== undefined && event.error?.message === `exit code ${event.exitCode}` && !event.error.detail && !event.error.hint;
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
  const order = ['succeeded', 'failed', 'timed-out', 'cancelled', 'skipped'] as const;
  const counts = order.filter((s) => event.counts[s]).map((s) => `${event.counts[s]} ${s}`);
  const line = `Run ${event.status} in ${humanDuration(event.durationMs)}${counts.length ? `: ${counts.join(', ')}` : ''}`;
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
