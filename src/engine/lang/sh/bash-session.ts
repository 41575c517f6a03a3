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
import { endGroup, forgetGroupWhenGone, GroupSupervisor, trackGroup } from '../../process/process-group.js';
import { removeFile } from '../../process/scratch.js';
import type { CellIo, TreeOutcome } from '../../process/process-tree.js';
import { PipedSession } from '../../process/session-pipes.js';
import { SentinelSplitter } from '../../process/session-protocol.js';
import { procIsZombie } from '../../process/proc-posix.js';

export interface SessionCell extends CellIo {
  /** The job script itself (written to the session's fd 3 after its length in bytes, see SESSION_SCRIPT); made only when the cell goes as a job. */
  jobText: () => string;
  /** The job's claim file (see jobScript). */
  claimFile: string;
  /** The cell as a spare runs it (spareCellScript), when it may run in one (useSpare); made only when it does. */
  spareText?: () => string;
}

/** What starts a spare (session-protocol.ts spareScript): its job and its claim. */
export interface SpareRequest {
  jobText: string;
  claimFile: string;
}

/**
 * What the session is running: a cell, or a spare whose cell has not come yet (`cell`
 * undefined: its output waits in `early`, and its end, with both sentinels, only ends it).
 */
interface Running {
  cell?: SessionCell;
  stdout: SentinelSplitter;
  stderr: SentinelSplitter;
  group?: GroupSupervisor;
  /** The job's pid (its group), from the session's `start`. */
  pid?: number;
  /** Output before the cell's group was on record, already split from the sentinel. */
  early: [stream: 'stdout' | 'stderr', text: string][];
  status?: number;
  /** What opens the gate once the group is on record: a NUL for a job, the cell's text for a spare. */
  gate?: string;
  gateSent: boolean;
  /** A spare's claim (its group's registration with the reaper), removed when it is over. */
  spareClaim?: string;
  resolve?: (outcome: TreeOutcome) => void;
}

const frame = (text: string) => `${Buffer.byteLength(text)}:${text}`;

export class BashSession extends PipedSession {
  private running: Running | undefined;
  private events = '';
  /** The last cell could not run in a spare: none is started after it (its successor is likely the same). */
  private spareDeclined = false;
  private exited: string | undefined;
  /** The environment the session started with, which every job's fork inherits (see jobScript). */
  readonly startEnv: Readonly<Record<string, string>>;
  /** Asked for a spare after each cell (session-protocol.ts spareScript); unset: no spares. */
  spares: (() => SpareRequest) | undefined;
  /**
   * The next spare's job, already written to fd 3 behind the cell text of the spare now running
   * (see started): the session forks it as soon as that cell ends, with no request between.
   */
  private queued: SpareRequest | undefined;

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
    const waiting = this.running;
    this.spareDeclined = cell.spareText === undefined;
    if (waiting && !waiting.cell && (cell.spareText === undefined || waiting.status !== undefined)) {
      // A spare this cell cannot use (its environment differs where bash reads it at start-up):
      // it gets an empty cell and exits having run nothing; then the cell goes as a job. So does a
      // cell whose spare already ended (killed from outside: nothing to run it in).
      this.spareDeclined = true;
      const discard: SessionCell = { signal: new AbortController().signal, graceMs: cell.graceMs, onStdout: () => undefined, onStderr: () => undefined, jobText: () => '', claimFile: '', spareText: () => '' };
      return this.attach(discard).then(() => this.run(cell));
    }
    return this.attach(cell);
  }

  /** Runs the cell in the spare waiting for one (when the cell has spareText), else as a job. */
  private attach(cell: SessionCell): Promise<TreeOutcome> {
    const waiting = this.running;
    if (!this.alive) return Promise.resolve(this.lostOutcome(undefined));
    if (waiting && !waiting.cell && sessionEnded(this.child.pid)) {
      // Killed between cells, its exit not seen yet: its spare (a group of its own) outlives
      // it and would run the cell, then be killed with it as "lost while the cell ran". The
      // cell has not started: the keeper runs it on a new session.
      this.onExit('ended between cells');
      return Promise.resolve({ ...this.lostOutcome(undefined), sessionLostBeforeStart: true });
    }
    return new Promise<TreeOutcome>((resolve) => {
      const running: Running = waiting && !waiting.cell ? waiting : this.newRunning();
      running.cell = cell;
      running.group = new GroupSupervisor(cell);
      running.resolve = resolve;
      this.busy();
      if (running === waiting) {
        running.gate = frame((cell.spareText as () => string)());
        if (running.pid !== undefined) this.started(running);
      } else {
        running.gate = '\0';
        this.running = running;
        (this.stream(3) as Writable).write(frame(cell.jobText()));
      }
    });
  }

  /** Ends the session and anything still running in it. */
  close(graceMs: number): void {
    const running = this.running;
    // Ends the running cell's group (SIGTERM, then SIGKILL); the session's exit settles the cell.
    running?.group?.finish();
    // A spare waiting for a cell reads EOF and exits; its group is ended all the same.
    if (running && !running.cell && running.pid !== undefined) endGroup(running.pid, graceMs);
    if (running?.spareClaim && !running.cell) removeFile(running.spareClaim);
    if (this.queued) giveUp(this.queued);
    this.queued = undefined;
    (this.stream(3) as Writable).end();
    if (this.child.pid !== undefined && this.alive) endGroup(this.child.pid, graceMs);
  }

  private newRunning(): Running {
    const running: Running = {
      stdout: new SentinelSplitter(this.sentinel, (text) => this.emit(running, 'stdout', text)),
      stderr: new SentinelSplitter(this.sentinel, (text) => this.emit(running, 'stderr', text)),
      early: [],
      gateSent: false,
    };
    return running;
  }

  /** The next spare, when one is wanted (session-protocol.ts spareScript). */
  private nextSpare(): SpareRequest | undefined {
    return this.spares && !this.spareDeclined && this.alive ? this.spares() : undefined;
  }

  /**
   * The next cell's bash starts now, while the engine finishes this one: the spare queued behind
   * the cell that just ended (the session is forking it already), or one asked for now.
   */
  private requestSpare(): void {
    const queued = this.queued;
    this.queued = undefined;
    if (this.running || !this.alive) {
      if (queued) giveUp(queued);
      return;
    }
    const request = queued ?? this.nextSpare();
    if (!request) return;
    const running = this.newRunning();
    running.spareClaim = request.claimFile;
    this.running = running;
    if (!queued) (this.stream(3) as Writable).write(frame(request.jobText));
  }

  private onEvents(chunk: string): void {
    this.events += chunk;
    this.readEvents();
  }

  private readEvents(): void {
    let newline: number;
    while ((newline = this.events.indexOf('\n')) >= 0) {
      const running = this.running;
      // Ended, its output not all in yet: what follows (the queued spare's `start`) waits until it is settled.
      if (running?.status !== undefined) break;
      const [kind, value] = this.events.slice(0, newline).split(' ');
      this.events = this.events.slice(newline + 1);
      if (!running) continue;
      if (kind === 'start') {
        running.pid = Number(value);
        // A spare's group dies with the CLI before it has a cell too.
        if (running.cell) this.started(running);
        else trackGroup(running.pid);
      } else if (kind === 'end') {
        running.status = Number(value);
      }
    }
    this.settle();
  }

  /** The cell's group is known: on record first (onGroup), then its gate opens. */
  private started(running: Running): void {
    const { cell, group, pid } = running;
    if (!cell || !group || pid === undefined) return;
    // A timeout or cancel that came before the group was known reaches it now.
    group.start(pid);
    cell.onGroup?.(pid);
    // The job's gate (session-protocol.ts): on record, so it may run; a stopped cell's group is ended
    // instead. A spare that already ended gets nothing (the session would read its cell as a job).
    if (!group.stopped && running.status === undefined && running.gate !== undefined) {
      // A spare reads exactly its own frame from fd 3 and closes it; what follows in the pipe is the
      // session's to read once the cell has ended: the next spare's job, queued in the same write, so
      // the session forks it at once (no round trip through the engine on the way to the next cell).
      const next = running.spareClaim !== undefined ? this.nextSpare() : undefined;
      (this.stream(3) as Writable).write(next ? running.gate + frame(next.jobText) : running.gate);
      this.queued = next;
      running.gateSent = true;
    }
    this.flushEarly(running);
  }

  /** Output between cells (a leftover that ignored SIGTERM) belongs to no cell and is dropped. */
  private output(chunk: string, stream: 'stdout' | 'stderr'): void {
    const running = this.running;
    if (!running) return;
    running[stream].push(chunk);
    this.settle();
  }

  private emit(running: Running, stream: 'stdout' | 'stderr', text: string): void {
    if (running.cell && running.group?.outcome.pgid !== undefined) running.cell[stream === 'stdout' ? 'onStdout' : 'onStderr'](text);
    else running.early.push([stream, text]);
  }

  private flushEarly(running: Running): void {
    const cell = running.cell;
    if (!cell) return;
    for (const [stream, text] of running.early.splice(0)) cell[stream === 'stdout' ? 'onStdout' : 'onStderr'](text);
  }

  /** The job is over once its status and both sentinels are in: no output is left behind. */
  private settle(): void {
    const running = this.running;
    if (!running || running.status === undefined || !running.stdout.done || !running.stderr.done) return;
    if (!running.cell || !running.group) {
      // A spare that ended with no cell (killed, or its claim failed): nothing ran, nobody waits.
      this.over(running);
    } else {
      const { endedBy } = running.group.outcome;
      this.finish(running, endedBy ? { endedBy } : { exitCode: running.status });
    }
    // Lines held back while this one's output came in (the queued spare's `start`).
    if (this.events) this.readEvents();
  }

  private finish(running: Running, outcome: TreeOutcome): void {
    this.flushEarly(running);
    running.group?.finish();
    this.over(running);
    // The next cell's bash starts now, while the engine records this one's end.
    this.requestSpare();
    running.resolve?.(outcome);
  }

  private over(running: Running): void {
    if (running.spareClaim) removeFile(running.spareClaim);
    if (!running.group && running.pid !== undefined) forgetGroupWhenGone(running.pid, 0);
    this.running = undefined;
    this.idle();
  }

  private onExit(reason: string, error?: NodeJS.ErrnoException): void {
    if (this.exited !== undefined) return;
    this.exited = reason;
    // The session's group held only the session (cells have their own): stop tracking it.
    if (this.child.pid !== undefined) forgetGroupWhenGone(this.child.pid, 0);
    if (this.queued) giveUp(this.queued);
    this.queued = undefined;
    const running = this.running;
    if (!running) return;
    if (!running.cell || !running.group) {
      // A spare without a cell: it reads EOF on fd 3 and exits; its group is ended all the same.
      if (running.pid !== undefined) endGroup(running.pid, 0);
      this.over(running);
      return;
    }
    if (error) {
      this.finish(running, { spawnError: { code: error.code ?? 'ENOENT', message: error.message } });
      return;
    }
    const known = running.group.outcome.pgid;
    const claim = running.spareClaim ?? running.cell.claimFile;
    // A spare ran nothing of its cell before its text was sent; a job, nothing before it claimed itself.
    const started = running.spareClaim !== undefined ? running.gateSent : known !== undefined || !claimFirst(claim);
    const pgid = known ?? running.pid ?? claimedPid(claim);
    if (pgid !== undefined) running.group.start(pgid);
    // finish() ends the cell's group: nobody waits for it now that the session is gone.
    const { endedBy } = running.group.outcome;
    if (endedBy) this.finish(running, { endedBy });
    else this.finish(running, { ...this.lostOutcome(reason), ...(started ? {} : { sessionLostBeforeStart: true }) });
  }

  private lostOutcome(reason: string | undefined): TreeOutcome {
    return { sessionLost: `the bash session ${reason ?? this.exited ?? 'ended'}` };
  }
}

/**
 * A queued spare nobody will use (the session ended, or the executor closed): its claim is taken
 * first, so if the session still forks it, it exits at its first line having run nothing. The empty
 * claim stays until the reaper's directory goes (the reaper skips a claim without a pid).
 */
function giveUp(spare: SpareRequest): void {
  claimFirst(spare.claimFile);
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

/**
 * The session's process has ended though Node has not seen its exit yet: a zombie or gone
 * (Linux's /proc); elsewhere `kill -0`, for which a zombie still counts as alive.
 */
function sessionEnded(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  const zombie = procIsZombie(pid);
  if (zombie !== undefined) return zombie;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
