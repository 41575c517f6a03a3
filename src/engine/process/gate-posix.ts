/**
 * The gate's prelude on POSIX: a tiny `sh` in the cell's own group that waits for one byte on
 * fd 3 and then execs the real program (same pid, same group). See gate.ts for why.
 */
import { findProgram } from './which.js';
import { POSIX_SHELL } from './command-line-posix.js';

/** `$0` is the program, `"$@"` its arguments; fd 3 is closed before the exec, so the cell never sees it. */
export const GATE_SCRIPT = 'IFS= read -r _ <&3 || exit 125; exec 3<&-; exec "$0" "$@"';

/** The exit status of a prelude whose gate was shut: the cell never ran. */
export const GATE_SHUT_STATUS = 125;

const SH = POSIX_SHELL;

export function posixShellPresent(): boolean {
  return findProgram(SH) !== undefined;
}

/** `program args` behind the prelude; `program` is already resolved to its path. */
export function gatedByPosixShell(program: string, args: string[]): { file: string; args: string[] } {
  return { file: SH, args: ['-c', GATE_SCRIPT, program, ...args] };
}
