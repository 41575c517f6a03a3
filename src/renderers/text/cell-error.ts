/**
 * A cell's error, laid out once for every renderer: the first line in psql's words
 * (`ERROR:  relation "x" does not exist (SQLSTATE 42P01)`), then `DETAIL:`, `HINT:` and the
 * document line. The timeline, which has one table cell for it, uses the headline alone.
 */
import type { CellError } from '../../engine/events.js';

/** SQLSTATEs are five digits or upper-case letters, e.g. 42P01, 57014. */
export function isSqlState(code: string): boolean {
  return /^[0-9A-Z]{5}$/.test(code);
}

/** `relation "x" does not exist (SQLSTATE 42P01)`, `spawn pwsh ENOENT`; a code the message already says is not repeated. */
export function errorHeadline(error: CellError): string {
  const { code, message } = error;
  if (!code || message.includes(code)) return message;
  return `${message} (${isSqlState(code) ? `SQLSTATE ${code}` : code})`;
}

/** The error as lines, psql's layout (two spaces after the label), without indentation or colour. */
export function errorLines(error: CellError): { text: string; tone: 'error' | 'hint' }[] {
  const lines: { text: string; tone: 'error' | 'hint' }[] = [{ text: `ERROR:  ${errorHeadline(error)}`, tone: 'error' }];
  if (error.detail) lines.push({ text: `DETAIL:  ${error.detail}`, tone: 'hint' });
  if (error.hint) lines.push({ text: `HINT:  ${error.hint}`, tone: 'hint' });
  if (error.line) lines.push({ text: `at line ${error.line}`, tone: 'hint' });
  return lines;
}

/** A shell's `exit code 3` error says no more than the `exit 3` the status line shows. */
export function saysOnlyExitCode(finished: { exitCode?: number; error?: CellError }): boolean {
  return finished.exitCode !== undefined && finished.error?.message === `exit code ${finished.exitCode}` && !finished.error.detail && !finished.error.hint;
}

/** The error lines a finished attempt shows under its status line; none when its error only repeats the exit code. */
export function finishedErrorLines(finished: { status: string; exitCode?: number; error?: CellError }): { text: string; tone: 'error' | 'hint' }[] {
  return finished.error && !saysOnlyExitCode(finished) ? errorLines(finished.error) : [];
}
