/**
 * One long-lived bash per shell executor, so a cell costs a fork and an exec of bash
 * instead of a Node spawn (see session-protocol.ts for what runs inside it). Each cell
 * still runs in its own process group, and ends with it: on timeout and cancel the
 * executor kills that group, never the session (process-group.ts supervises both, and
 * both die with the CLI, see reaper.ts). A session that dies is not repaired:
 * the cell that was running fails, and the executor starts a new session for the next
 * cell from the state it carries itself.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { endGroup, forgetGroupWhenGone, GroupSupervisor } from '../../process/process-group.js';
import type { CellIo, TreeOutcome } from '../../process/process-tree.js';
import { PipedSession } from '../../process/session-pipes.js';
import { SentinelSplitter } from '../../process/session-protocol.js';

export interface SessionCell extends CellIo {
  /** The job script itself (written to the session's fd 3 after its length in bytes, see SESSION_SCRIPT). */
  jobText: string;
  /** The job's claim file (see jobScript). */
  claimFile: string;
}

interface Running {
  cell: SessionCell;
  stdout: SentinelSplitter;
  stderr: SentinelSplitter;
  group: GroupSupervisor;
  /** Output that came before the `start` event named the group. */
  early: [stream: 'stdout' | 'stderr', chunk: string][];
  status?: number;
  finish(outcome: TreeOutcome): void;
}

export class BashSession extends PipedSession {
  private running: Running | undefined;
  private events = '';
  private exited: string | undefined;
  /** The environment the session started with, which every job's fork inherits (see jobScript). */
  readonly startEnv: Readonly<Record<string, string>>;

  /** `passThrough`: the key of the environment entries only a new session can change. */
  constructor(
    program: string,
    scriptFile: string,
    env: Record<string, string>,
    cwd: string,
    readonly passThrough: string,
  ) {
    const sessionEnv = { ...env };
    // A non-interactive bash would source these at the start of the session too.
    delete sessionEnv.BASH_ENV;
    delete sessionEnv.ENV;
    // `-p` (privileged mode, with the same user ids: no other effect): the session imports no
    // exported function (one named `read`, `printf`, `wait` or `builtin` would have replaced the
    // session's own commands and hung it) and ignores SHELLOPTS and BASHOPTS (`xtrace` traced
    // every job, its exported values included, into the cell's stderr). Both stay in the
    // environment for the cells' bash, which imports them as before (jobScript).
    super(program, (sentinel) => ['--noprofile', '--norc', '-p', scriptFile, sentinel], cwd, sessionEnv);
    this.startEnv = sessionEnv;
    this.stream(1).on('data', (chunk: string) => this.output(chunk, 'stdout'));
    this.stream(2).on('data', (chunk: string) => this.output(chunk, 'stderr'));
    this.stream(4).on('data', (chunk: string) => this.onEvents(chunk));
    this.child.on('error', (error: NodeJS.ErrnoException) => this.onExit(`could not start: ${error.message}`, error));
    this.child.on('exit', (code, signal) => this.onExit(signal ? `killed by ${signal}` : `exited with ${code}`));
    this.idle();
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  run(cell: SessionCell): Promise<TreeOutcome> {
    if (cell.signal.aborted) return Promise.resolve({ endedBy: 'cancel' });
    if (!this.alive) return Promise.resolve(this.lostOutcome(undefined));
    return new Promise<TreeOutcome>((resolve) => {
      const running: Running = {
        cell,
        stdout: new SentinelSplitter(this.sentinel, cell.onStdout),
        stderr: new SentinelSplitter(this.sentinel, cell.onStderr),
        group: new GroupSupervisor(cell),
        early: [],
        finish: (outcome) => {
          this.flushEarly(running);
          running.group.finish();
          this.running = undefined;
          this.idle();
          resolve(outcome);
        },
      };
      this.running = running;
      this.busy();
      (this.stream(3) as Writable).write(`${Buffer.byteLength(cell.jobText)}:${cell.jobText}`);
    });
  }

  /** Ends the session and anything still running in it. */
  close(graceMs: number): void {
    // Ends the running cell's group (SIGTERM, then SIGKILL); the session's exit settles the cell.
    this.running?.group.finish();
    (this.stream(3) as Writable).end();
    if (this.child.pid !== undefined && this.alive) endGroup(this.child.pid, graceMs);
  }

  private onEvents(chunk: string): void {
    this.events += chunk;
    let newline: number;
    while ((newline = this.events.indexOf('\n')) >= 0) {
      const [kind, value] = this.events.slice(0, newline).split(' ');
      this.events = this.events.slice(newline + 1);
      const running = this.running;
      if (!running) continue;
      if (kind === 'start') {
        // A timeout or cancel that came before the group was known reaches it now.
        running.group.start(Number(value));
        running.cell.onGroup?.(Number(value));
        // The job's gate (session-protocol.ts): on record, so it may run; a stopped cell's group is ended instead.
        if (!running.group.stopped) (this.stream(3) as Writable).write('\0');
        this.flushEarly(running);
      } else if (kind === 'end') {
        running.status = Number(value);
      }
    }
    this.settle();
  }

  /** Output between cells (a leftover that ignored SIGTERM) belongs to no cell and is dropped. */
  private output(chunk: string, stream: 'stdout' | 'stderr'): void {
    const running = this.running;
    if (!running) return;
    if (running.group.outcome.pgid === undefined) running.early.push([stream, chunk]);
    else running[stream].push(chunk);
    this.settle();
  }

  private flushEarly(running: Running): void {
    for (const [stream, chunk] of running.early.splice(0)) running[stream].push(chunk);
  }

  /** The cell is over once its status and both sentinels are in: no output is left behind. */
  private settle(): void {
    const running = this.running;
    if (!running || running.status === undefined || !running.stdout.done || !running.stderr.done) return;
    const { endedBy } = running.group.outcome;
    const outcome: TreeOutcome = endedBy ? { endedBy } : { exitCode: running.status };
    running.finish(outcome);
  }

  private onExit(reason: string, error?: NodeJS.ErrnoException): void {
    if (this.exited !== undefined) return;
    this.exited = reason;
    // The session's group held only the session (cells have their own): stop tracking it.
    if (this.child.pid !== undefined) forgetGroupWhenGone(this.child.pid, 0);
    const running = this.running;
    if (!running) return;
    if (error) {
      running.finish({ spawnError: { code: error.code ?? 'ENOENT', message: error.message } });
      return;
    }
    const known = running.group.outcome.pgid;
    const started = known !== undefined || !claimFirst(running.cell.claimFile);
    const pgid = known ?? claimedPid(running.cell.claimFile);
    if (pgid !== undefined) running.group.start(pgid);
    // finish() ends the cell's group: nobody waits for it now that the session is gone.
    const { endedBy } = running.group.outcome;
    if (endedBy) running.finish({ endedBy });
    else running.finish({ ...this.lostOutcome(reason), ...(started ? {} : { sessionLostBeforeStart: true }) });
  }

  private lostOutcome(reason: string | undefined): TreeOutcome {
    return { sessionLost: `the bash session ${reason ?? this.exited ?? 'ended'}` };
  }
}

/** True when the executor claimed the job before the cell did: the cell never ran. */
function claimFirst(file: string): boolean {
  try {
    writeFileSync(file, '', { flag: 'wx' });
    return true;
  } catch {
    return false;
  }
}

/** The pid a started cell wrote into its claim: its process group, to end with the session. */
function claimedPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}
