/** Small process facts the sandbox needs: is a pid alive, and is it the program we think. */
import { procRawCommandLine } from '../process/proc-posix.js';

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (the server runs as `postgres`).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when `pid` is alive and, where /proc exists, its command line mentions `marker`,
 * so a pid recycled by an unrelated program is not mistaken for ours.
 */
export function processIs(pid: number, marker: string): boolean {
  if (!processAlive(pid)) return false;
  const commandLine = procRawCommandLine(pid);
  if (commandLine === undefined) return true; // No /proc (macOS, Windows): trust the pid.
  // A zombie has an empty command line: it is dead for our purposes.
  return commandLine.includes(marker);
}
