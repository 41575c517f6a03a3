/**
 * The pipes of a long-lived session (bash or pwsh): fds 1 and 2 for output, 3 for jobs, 4 for
 * status. Both sessions hold the process and its pipes only while a cell runs, so an idle
 * session never keeps the CLI alive when nobody closes it.
 */
import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export function sessionPipe(child: ChildProcess, index: number): Readable & Writable {
  return child.stdio[index] as Readable & Writable;
}

export function holdSession(child: ChildProcess, hold: boolean): void {
  if (hold) child.ref();
  else child.unref();
  for (const index of [1, 2, 3, 4]) {
    const pipe = sessionPipe(child, index) as unknown as { ref?: () => void; unref?: () => void };
    if (hold) pipe.ref?.();
    else pipe.unref?.();
  }
}
