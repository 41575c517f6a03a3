/**
 * Output is a sink that can go away: `runbook … | head -1` closes the pipe (EPIPE), a
 * closed terminal fails every write (EIO). Neither may end a command with a stack trace.
 * A command that has something to finish (a run: its transcript) registers a handler and
 * ends itself; every other command exits at once with 141, the shell's code for a
 * process ended by a broken pipe (128 + SIGPIPE).
 */
import { closeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { EXIT } from './exit.js';

/** The errors that mean the reader of our output is gone. */
const GONE = new Set(['EPIPE', 'EIO', 'ECONNRESET', 'ERR_STREAM_DESTROYED']);

/** `hangup`: a terminal that went away (EIO); `closed`: a pipe or file that did. */
export type OutputLoss = 'closed' | 'hangup';

let handler: ((loss: OutputLoss) => void) | undefined;
let closed: OutputLoss | undefined;
let installed = false;

/** Installed once by the CLI, before any command writes. */
export function guardOutput(): void {
  if (installed) return;
  installed = true;
  terminalFds = [0, 1, 2].filter((fd) => isatty(fd));
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EIO') terminalGone();
    // Any other failure (ENOSPC on a redirect to a full disk) ends output the same way, said once.
    if (!closed && !GONE.has(error.code ?? '')) process.stderr.write(`runbook: cannot write to stdout: ${error.message}\n`);
    stdoutGone(error.code === 'EIO' || hungUp ? 'hangup' : 'closed');
  });
  // Nobody is left to read a complaint about stderr, or to type on a hung-up terminal.
  process.stderr.on('error', () => undefined);
  process.stdin.on('error', () => undefined);
}

function stdoutGone(loss: OutputLoss): void {
  if (closed) return;
  closed = loss;
  if (handler) handler(loss);
  else process.exit(loss === 'hangup' ? EXIT.hangup : EXIT.stdoutClosed);
}

/** While a run is under way, a closed stdout ends it through `onClosed` instead of exiting. */
export function onStdoutClosed(onClosed: (loss: OutputLoss) => void): () => void {
  handler = onClosed;
  if (closed) onClosed(closed);
  return () => {
    if (handler === onClosed) handler = undefined;
  };
}

let hungUp = false;
/** Which of stdin, stdout, stderr were a terminal at the start (a hung-up one no longer says so). */
let terminalFds: number[] = [];

/**
 * The terminal hung up (SIGHUP, EIO). Node restores the terminal's mode as it exits and
 * aborts (SIGABRT, "Assertion failed" in ResetStdio) when that fails on a dead terminal;
 * it skips descriptors that are closed, so ours are closed on the way out.
 */
export function terminalGone(): void {
  if (hungUp) return;
  hungUp = true;
  // One hangup often comes twice (the kernel's, and whoever closed the terminal): the second changes nothing.
  process.on('SIGHUP', () => undefined);
  process.once('exit', () => {
    for (const fd of terminalFds) {
      try {
        closeSync(fd);
      } catch {
        // Already closed.
      }
    }
  });
}
