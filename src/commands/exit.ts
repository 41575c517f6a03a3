/**
 * Exit codes, in one place. The engine says how a run ended (RunOutcome) or that the
 * input was bad (InputError); the commands turn that into a number here.
 *
 *   0   all good
 *   1   a cell failed, lint found errors, or verify found tampering
 *   2   bad input or usage: a missing file, an unknown flag or cell, a refused run or resume
 *   3   nothing failed, but a selected cell did not run (missing interpreter, cancelled, not reached)
 *   129 hangup: the terminal or SSH connection went away (SIGHUP)
 *   130 interrupted (SIGINT / SIGTERM)
 *   141 stdout closed under us, as after a SIGPIPE
 *   70  internal error: a bug in runbook, not in the input (sysexits' EX_SOFTWARE)
 */
import type { RunOutcome } from '../engine/runner.js';

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  incomplete: 3,
  /** SIGHUP: the terminal or SSH connection went away (128 + 1). */
  hangup: 129,
  /** SIGINT or SIGTERM (128 + 2). */
  interrupted: 130,
  /** stdout closed under us, as after a SIGPIPE (128 + 13). */
  stdoutClosed: 141,
  /** A bug in runbook, not in the input (sysexits' EX_SOFTWARE): bin/runbook.js, when main() throws. */
  internal: 70,
} as const;

const BY_OUTCOME: Record<RunOutcome, number> = {
  ok: EXIT.ok,
  'cell-failed': EXIT.failed,
  incomplete: EXIT.incomplete,
  refused: EXIT.usage,
  interrupted: EXIT.interrupted,
};

export function exitCodeOf(outcome: RunOutcome): number {
  return BY_OUTCOME[outcome];
}
