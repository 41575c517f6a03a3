/**
 * Runme's `interactive` cell in the console: it gets the operator's terminal, so `read
 * name`, a password prompt or a pager works as typed. It runs under `script(1)` (util-linux),
 * which gives it a terminal of its own, relays the operator's keys to it and writes what the
 * terminal showed to a file: that text becomes the cell's recorded output (masked like any
 * output; what the operator typed is in it as the terminal echoed it, so a `read -s` answer is
 * not). Where `script` is missing the cell still gets the terminal, and its output is not
 * recorded (the cell says so on stderr). The console is waiting meanwhile, as it does for the
 * pager and the editor; a timeout ends the cell.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { TreeOutcome } from '../../process/process-tree.js';
import type { TerminalHandOver } from '../executor.js';
import { shQuote } from '../../process/shell-session.js';
import { recordedTerminalCommand, recordedTerminalText } from '../../process/terminal-posix.js';

export interface TerminalCell {
  program: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs?: number;
  /** Where script(1) writes what the terminal showed. */
  logFile: string;
  terminal: TerminalHandOver;
  onOutput(text: string): void;
  onNote(text: string): void;
}

export function runInTerminal(cell: TerminalCell): TreeOutcome {
  const command = [cell.program, ...cell.args].map(shQuote).join(' ');
  const script = recordedTerminalCommand(command, cell.logFile, cell.env.PATH ?? process.env.PATH ?? '');
  const [file, args] = script ?? [cell.program, cell.args];
  const result = cell.terminal.run(() =>
    spawnSync(file, args, {
      cwd: cell.cwd,
      env: cell.env,
      stdio: 'inherit',
      ...(cell.timeoutMs ? { timeout: cell.timeoutMs, killSignal: 'SIGTERM' as const } : {}),
    }),
  );
  if (script && existsSync(cell.logFile)) {
    const shown = recordedTerminalText(readFileSync(cell.logFile, 'utf8'));
    rmSync(cell.logFile, { force: true });
    if (shown) cell.onOutput(shown);
  } else if (!script) cell.onNote('the cell had the terminal; its output is not recorded (script from util-linux is not on PATH)\n');
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return { endedBy: 'timeout' };
  if (result.error) return { spawnError: { code: (result.error as NodeJS.ErrnoException).code ?? 'ENOENT', message: result.error.message } };
  return { ...(result.status !== null ? { exitCode: result.status } : {}), ...(result.signal ? { signal: result.signal } : {}) };
}
