/**
 * A message about the input or the run, as vfile-message and execa shape them: one type
 * with the reason and everything it points at (file, line, column, rule, cell, SQLSTATE,
 * exit code), a `short` form — one line a terminal or an editor can click
 * (`runbooks/x.md:12:3: error: … (sql-syntax)`) — and a `long` one with the rest on
 * indented lines. lint, list and the CLI's refusals print through this one formatter, so
 * the same problem reads the same from every command.
 */
import type { Diagnostic } from '../../engine/runbook.js';
import { isSqlState } from './cell-error.js';

export interface RunbookMessage {
  reason: string;
  severity: 'error' | 'warning';
  file?: string;
  /** 1-based; column only with a line. */
  line?: number;
  column?: number;
  /** The lint rule or check that found it, e.g. `sql-syntax`. */
  rule?: string;
  cell?: string;
  sqlState?: string;
  /** The exit code the command ends with because of it. */
  exitCode?: number;
  /** What to do about it, when the reason does not already say. */
  fix?: string;
}

/**
 * `file:line:column: error: reason (rule)`; without a file, `runbook: reason` (what a command
 * says of itself), once: a reason that already names the command (`runbook timeline: …`) is not prefixed again.
 */
export function shortMessage(message: RunbookMessage): string {
  const rule = message.rule ? ` (${message.rule})` : '';
  const fix = message.fix ? `; ${message.fix}` : '';
  if (!message.file) {
    const said = /^runbook[ :]/.test(message.reason) ? message.reason : `runbook: ${message.severity === 'warning' ? 'warning: ' : ''}${message.reason}`;
    return `${said}${fix}${rule}`;
  }
  const place = [message.file, message.line, message.line !== undefined ? message.column : undefined].filter((part) => part !== undefined).join(':');
  return `${place}: ${message.severity}: ${message.reason}${fix}${rule}`;
}

/** The short line, then each other fact on its own indented line (cell, SQLSTATE, exit code). */
export function longMessage(message: RunbookMessage): string {
  const facts = [
    message.cell ? `cell: ${message.cell}` : '',
    message.sqlState ? (isSqlState(message.sqlState) ? `SQLSTATE: ${message.sqlState}` : `code: ${message.sqlState}`) : '',
    message.exitCode !== undefined ? `exit code: ${message.exitCode}` : '',
  ].filter(Boolean);
  return [shortMessage(message), ...facts.map((fact) => `  ${fact}`)].join('\n');
}

/** A lint or parse diagnostic of `file` as a message. */
export function diagnosticMessage(file: string, diagnostic: Diagnostic): RunbookMessage {
  const { severity, message: reason, line, column, rule } = diagnostic;
  return { reason, severity, file, line, column, rule };
}

/** `2 errors, 1 warning`: a count in words, for the lines that close a check. */
export function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
