/**
 * `o`: a finished cell's whole output — every kept line and every kept row, tables at
 * full width — in the operator's pager, the way psql pages a wide result. `$PAGER`,
 * else `less -S` (long lines scroll sideways, not wrap) where it exists. Like the editor, the console
 * hands the terminal over and waits.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outputLines } from './lines.js';
import { finishedErrorLines } from '../text/cell-error.js';
import { wrapScreenLines } from './pane.js';
import { isFinished, type ConsoleState } from './state.js';
import { finishedPhrase, statusWord } from '../text/status.js';
import { defaultPager, shellArgument } from '../../engine/process/os-defaults.js';

/**
 * No pager on this machine (Windows without less, a slim container): the text goes to the
 * terminal as it is, and the console comes back after enter, so `o` still shows everything.
 */
function showWithoutPager(text: string): void {
  process.stdout.write(`${text}\n(no pager: set $PAGER to page this) press enter to go back`);
  const byte = Buffer.alloc(1);
  for (;;) {
    try {
      if (readSync(0, byte, 0, 1, null) !== 1 || byte[0] === 0x0a || byte[0] === 0x0d) break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') break;
    }
  }
}

export function pagerCommand(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return defaultPager(env);
}

/**
 * The pager's environment: the file it shows is UTF-8 (glyphs, the cell's own text), and
 * `less` without a UTF-8 locale (LANG unset: cron, CI, `env -i`, a bare container) calls such
 * a file "may be a binary file" and waits for an answer. The operator's LESSCHARSET wins.
 */
export function pagerEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return env.LESSCHARSET ? env : { ...env, LESSCHARSET: 'utf-8' };
}

/**
 * The text the pager shows for a cell: a title line, its output, its error. With `width`
 * (the terminal's), everything but tables is wrapped to it first: `less -S` scrolls a
 * table sideways, which is right for a table and wrong for the one stderr line that matters.
 */
export function pagerText(state: ConsoleState, id: string, width?: number): string {
  const cell = state.cells[id];
  if (!cell) return '';
  const lines = [`${cell.id} · ${cell.lang} · line ${cell.line} · ${isFinished(cell) ? finishedPhrase(cell) : statusWord(cell.status)}${cell.attempt > 1 ? ` · attempt ${cell.attempt}` : ''}`, ''];
  const body = [...outputLines(cell.output), ...(isFinished(cell) ? finishedErrorLines(cell) : [])];
  for (const line of width ? wrapScreenLines(body, width) : body) lines.push(line.text);
  if (lines.length === 2) lines.push('(no output)');
  return `${lines.join('\n')}\n`;
}

export interface PageOptions {
  env?: NodeJS.ProcessEnv;
  suspend?: () => void;
  resume?: () => void;
}

export function showInPager(text: string, options: PageOptions = {}): void {
  const env = options.env ?? process.env;
  const dir = mkdtempSync(join(tmpdir(), 'runbook-page-'));
  const file = join(dir, 'output.txt');
  writeFileSync(file, text);
  options.suspend?.();
  try {
    const pager = pagerCommand(env);
    if (pager) spawnSync(`${pager} ${shellArgument(file)}`, { shell: true, stdio: 'inherit', env: pagerEnvironment(env) });
    else showWithoutPager(text);
  } finally {
    options.resume?.();
    rmSync(dir, { recursive: true, force: true });
  }
}
