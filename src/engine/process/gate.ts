/**
 * The gate a per-process cell starts behind. Spawning and registering a process group
 * cannot be one step: a kill -9 of the CLI between the two would leave the cell running
 * with nobody to end it. So the interpreter is not spawned directly: a POSIX `sh` prelude
 * is, in the cell's own group, and it waits for one byte on fd 3 before it execs the real
 * program (same pid, same group). The CLI writes the byte after the group is registered
 * with the reaper and on record; EOF instead (the CLI died, or it shut the gate because
 * the cell was cancelled) and the prelude exits 125 without running anything.
 */
import { gatedByPosixShell, posixShellPresent } from './gate-posix.js';
import { platform } from './platform.js';
import { findProgram } from './which.js';
import type { Writable } from 'node:stream';

export { GATE_SCRIPT, GATE_SHUT_STATUS } from './gate-posix.js';

export type GatedCommand = { file: string; args: string[]; gate: boolean } | { missing: true };

/**
 * What to spawn for `file args`: the prelude (gate-posix.ts), or (no /bin/sh: Windows) the program itself.
 * A program that is not there is reported here, as a spawn would have reported it, since
 * behind the prelude it would only be an exit status 127.
 */
export function gatedCommand(file: string, args: string[], path: string, cwd: string): GatedCommand {
  // Windows (or a POSIX machine without /bin/sh): no prelude, so a kill -9 between the spawn
  // and the registration can leave that one cell running; said in the README's Windows section.
  if (platform() === 'win32' || !posixShellPresent()) return { file, args, gate: false };
  const program = findProgram(file, path, cwd);
  if (!program) return { missing: true };
  return { ...gatedByPosixShell(program, args), gate: true };
}

/** Lets the cell run. */
export function openGate(gate: Writable): void {
  gate.on('error', () => undefined);
  gate.end('\n');
}

/** Keeps the cell from running: the prelude reads EOF and exits. */
export function shutGate(gate: Writable): void {
  gate.on('error', () => undefined);
  gate.destroy();
}
