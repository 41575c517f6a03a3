/**
 * `o`: a finished cell's whole output — every kept line and every kept row, tables at
 * full width — in the operator's pager, the way psql pages a wide result. `$PAGER`,
 * else `less -S` (long lines scroll sideways, not wrap). Like the editor, the console
 * hands the terminal over and waits.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorLines, outputLines } from './lines.js';
import type { ConsoleState } from './state.js';

export function pagerCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.PAGER?.trim() || 'less -S';
}

/** The text the pager shows for a cell: a title line, its output, its error. */
export function pagerText(state: ConsoleState, id: string): string {
  const cell = state.cells[id];
  if (!cell) return '';
  const lines = [`${cell.id} · ${cell.lang} · line ${cell.line} · ${cell.status}${cell.attempt > 1 ? ` · attempt ${cell.attempt}` : ''}`, ''];
  for (const line of outputLines(cell.output)) lines.push(line.text);
  if ('error' in cell && cell.error) for (const line of errorLines(cell.error)) lines.push(line.text);
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
    spawnSync(`${pagerCommand(env)} '${file.replace(/'/g, `'\\''`)}'`, { shell: true, stdio: 'inherit', env });
  } finally {
    options.resume?.();
    rmSync(dir, { recursive: true, force: true });
  }
}
