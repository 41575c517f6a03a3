/**
 * The members of a process group, for a long-lived session whose cells' native commands
 * share its group (pwsh-session.ts): they are ended one by one, the session is not.
 */
import { execFileSync } from 'node:child_process';
import { procGroupMembers } from './proc-posix.js';
import { platform } from './platform.js';

/**
 * SIGTERM now, SIGKILL after the grace period, to every member of the group but `keep`:
 * the native commands a long-lived session (pwsh) started, not the session itself.
 */
export function endGroupExcept(pgid: number, keep: readonly number[], graceMs: number): void {
  const signal = (name: NodeJS.Signals) => {
    for (const pid of groupMembers(pgid)) {
      if (keep.includes(pid)) continue;
      try {
        process.kill(pid, name);
      } catch {
        // Gone already.
      }
    }
  };
  signal('SIGTERM');
  setTimeout(() => signal('SIGKILL'), graceMs).unref();
}

/**
 * The processes in a group: from /proc on Linux, from ps elsewhere. Windows has no groups:
 * none (the pwsh session's pipeline stop ends a native command's tree there; session.ts).
 */
export function groupMembers(pgid: number): number[] {
  if (platform() === 'win32') return [];
  const fromProc = procGroupMembers(pgid);
  if (fromProc) return fromProc;
  try {
    return execFileSync('ps', ['-A', '-o', 'pid=,pgid='], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim().split(/\s+/).map(Number))
      .filter(([pid, group]) => group === pgid && Number.isInteger(pid))
      .map(([pid]) => pid!);
  } catch {
    return [];
  }
}
