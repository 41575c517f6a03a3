/**
 * The process and pipes of the long-lived bash session: fds 1 and 2 for output, 3 for jobs,
 * 4 for status (session-protocol.ts). POSIX in practice: the executor makes a session only of
 * a program named exactly `bash`, so Windows' bash.exe gets a process per cell. The pwsh
 * session does not use these descriptors (.NET on Windows cannot open them): it speaks on a
 * socket (session-channel.ts).
 * The session holds the process and its pipes only while a cell runs, so an idle session
 * never keeps the CLI alive when nobody closes it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { trackGroup } from './process-group.js';

export abstract class PipedSession {
  /** Ends a cell's output on fds 1 and 2: random, so no cell prints it by chance. */
  protected readonly sentinel = `__runbook_end_${randomBytes(16).toString('hex')}__`;
  protected readonly child: ChildProcess;

  /** `args` gets the sentinel, which the session's script takes as an argument. */
  protected constructor(program: string, args: (sentinel: string) => string[], cwd: string, env: Record<string, string>) {
    this.child = spawn(program, args(this.sentinel), {
      cwd,
      env,
      // 0 the cells' stdin (/dev/null), 1 and 2 their output, 3 jobs or requests in, 4 events out.
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C at the terminal reaches neither it nor its cells.
      detached: true,
    });
    if (this.child.pid !== undefined) trackGroup(this.child.pid);
    for (const index of [1, 2, 4]) this.stream(index).setEncoding('utf8');
    for (const index of [1, 2, 3, 4]) this.stream(index).on('error', () => undefined);
  }

  /** Between cells the session must not keep the CLI alive if nobody closes it. */
  protected idle(): void {
    this.hold(false);
  }

  protected busy(): void {
    this.hold(true);
  }

  protected stream(index: number): Readable & Writable {
    return this.child.stdio[index] as Readable & Writable;
  }

  private hold(hold: boolean): void {
    if (hold) this.child.ref();
    else this.child.unref();
    for (const index of [1, 2, 3, 4]) {
      const pipe = this.stream(index) as unknown as { ref?: () => void; unref?: () => void };
      if (hold) pipe.ref?.();
      else pipe.unref?.();
    }
  }
}
