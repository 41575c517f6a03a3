/**
 * One long-lived pwsh per PowerShell executor (the script it runs is host.ps1):
 * pwsh starts once per run, every cell runs in the same runspace, and parse requests for
 * placeholders and needed commands go to the same process. Requests and events travel on a
 * local socket only the host joins (session-channel.ts), the same on every OS; the cells'
 * stdin is /dev/null (NUL), their raw output pwsh's stdout and stderr. On POSIX the session
 * leads its own process group, so the native commands a cell starts are in it: a timeout or
 * cancel asks the host to stop the cell's pipeline and ends the group's other members (on
 * Windows PowerShell's pipeline stop ends a native command's tree itself); a session that
 * does not come back within the grace period is killed with them, and the next cell starts
 * a new one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { endGroupExcept } from '../../process/group-members.js';
import { platform } from '../../process/platform.js';
import { forgetGroupWhenGone, signalGroup, trackGroup } from '../../process/process-group.js';
import type { TreeOutcome } from '../../process/process-tree.js';
import { HostChannel, NONCE_VARIABLE } from '../../process/session-channel.js';
import { SentinelSplitter } from '../../process/session-protocol.js';
import type { LeftState } from '../../process/shell-session.js';
import type { MaskRules } from '../../redact.js';
import type { CellQuestion } from '../executor.js';

export interface PwshJob {
  /** The cell's file: its source as bound; the host adds the steps and the line that records `$?`. */
  file: string;
  cwd: string;
  env: Record<string, string>;
  /** Stop at the first error (`errorAction: stop`). */
  stop: boolean;
  /** Someone can answer Read-Host (the console); otherwise a prompt stops the cell. */
  interactive: boolean;
  /** The runbook as the operator named it, and the document line of the cell's first line: where errors point. */
  document: string;
  firstLine: number;
  /** Secrets the host masks in values before PowerShell's formatter wraps or truncates them. */
  mask: MaskRules;
}

export interface PwshCell {
  signal: AbortSignal;
  timeoutMs?: number;
  graceMs: number;
  onStdout(chunk: string): void;
  onStderr(chunk: string): void;
  /** Read-Host in the cell: the operator's answer, or undefined when they declined. */
  ask?(question: PwshQuestion): Promise<string | undefined>;
}

/** What a cell's Read-Host asks (its own prompt text, and whether the answer is secret: -AsSecureString, -MaskInput), or its host (prompt-host.cs). */
export type PwshQuestion = CellQuestion;

export interface PwshOutcome extends TreeOutcome {
  /** What the session holds after the cell: its environment and location. */
  left?: LeftState;
  /** The pipeline did not stop within the grace period: the session was killed. */
  killed?: boolean;
  /** The host could not run the cell (its own message). */
  hostError?: string;
  /** Errors the cell wrote (error records) or statements that failed without one (a non-zero exit). */
  errors?: number;
  /** The cell stopped at a prompt nobody could answer (unattended), or the operator declined to. */
  refused?: { prompt: string; declined: boolean; by: string };
}

/** What PowerShell's parser says about a source (see Send-Parse in the host script). */
export interface ParseReport {
  errors: { message: string; line: number; column: number }[];
  /** The innermost token at each offset asked about. */
  spots: { at: number; kind?: string; start?: number; end?: number; commandName?: boolean; value?: string; verbatim?: boolean; reparsed?: string }[];
  /** Every command by name: `powershell` when Get-Command finds it as a cmdlet, function, alias or filter. */
  commands: { name: string; line: number; dot: boolean; powershell: boolean; arguments: (string | null)[] }[];
  functions: string[];
}

interface Running {
  cell: PwshCell;
  stdout: SentinelSplitter;
  stderr: SentinelSplitter;
  end?: { code: number | null; errors?: number; refused?: string; refusedBy?: string; declined?: boolean; stopped: boolean; env: Record<string, string>; cwd: string };
  endedBy?: 'timeout' | 'cancel';
  hostError?: string;
  finish(outcome: PwshOutcome): void;
}

export class PwshSession {
  /** Ends a cell's raw output on stdout and stderr: random, so no cell prints it by chance. */
  private readonly sentinel = `__runbook_end_${randomBytes(16).toString('hex')}__`;
  private readonly child: ChildProcess;
  /** Requests in, events out (session-channel.ts). */
  readonly channel: HostChannel;
  private running: Running | undefined;
  private readonly parses = new Map<number, { resolve(report: ParseReport): void; reject(error: Error): void }>();
  private nextParse = 1;
  private closing = false;
  /** Why the channel could not listen, when it could not: the reason the session is gone. */
  private channelLost: string | undefined;
  private exited: string | undefined;
  /** What pwsh wrote before it was ready: the reason when it never gets there. */
  private startupText = '';
  /** pwsh's own pid, from its `ready`: the program started may be a launcher (a .NET tool's shim) with pwsh its child. */
  private hostPid: number | undefined;
  /** From its `ready`: whether the host runs its hot paths compiled (host-tools.cs, from the cached DLL) or as script. */
  private paths: 'compiled' | 'script' | undefined;

  /**
   * `dir` is the run's private scratch directory (0700): the channel's socket lives there on POSIX.
   * `hostCache`: where the cells' host DLL is kept between runs (see host.ps1); empty: built for this session only.
   * `hostKey`: the C# sources' key (pwshHostKey); empty: no DLL, the host runs without it.
   */
  constructor(program: string, scriptFile: string, env: Record<string, string>, cwd: string, dir: string, hostCache = '', hostKey = '') {
    this.channel = new HostChannel(dir, {
      frame: (line) => this.onFrame(line),
      // A host without its channel can take no request: it goes, and the next cell starts a new one.
      failed: (reason) => {
        this.channelLost ??= reason;
        this.kill();
      },
      closed: () => {
        if (!this.closing && this.alive) this.kill();
      },
    });
    this.child = spawn(program, ['-NoProfile', '-NonInteractive', '-NoLogo', '-File', scriptFile, this.sentinel, this.channel.address.host, hostCache, hostKey], {
      cwd,
      env: { ...env, POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off', [NONCE_VARIABLE]: this.channel.nonce },
      // The cells' stdin is /dev/null (NUL); stdout and stderr carry what bypasses PowerShell's streams.
      stdio: ['ignore', 'pipe', 'pipe'],
      // POSIX: its own process group, so a Ctrl-C at the terminal reaches neither it nor its cells.
      // Windows: a detached process gets a console window of its own; no group to lead there.
      detached: platform() !== 'win32',
      windowsHide: true,
    });
    if (this.child.pid !== undefined) trackGroup(this.child.pid);
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      stream.setEncoding('utf8');
      stream.on('error', () => undefined);
    }
    this.child.stdout!.on('data', (chunk: string) => this.raw(chunk, 'stdout'));
    this.child.stderr!.on('data', (chunk: string) => this.raw(chunk, 'stderr'));
    this.child.on('error', (error: NodeJS.ErrnoException) => this.onExit(`could not start: ${error.message}`, error));
    this.child.on('exit', (code, signal) => this.onExit(signal ? `was killed by ${signal}` : `exited with ${code}`));
    this.idle();
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Which version of its hot paths the host runs, once it is ready: `compiled` (the cached DLL was there as it started) or `script`. */
  get hostPaths(): 'compiled' | 'script' | undefined {
    return this.paths;
  }

  /** Asks PowerShell's parser about `source`, and which token stands at each offset in `at`. */
  parse(source: string, at: readonly number[] = []): Promise<ParseReport> {
    if (!this.alive) return Promise.reject(new Error(`the PowerShell session ${this.exited}`));
    const id = this.nextParse++;
    return new Promise<ParseReport>((resolve, reject) => {
      this.parses.set(id, { resolve, reject });
      this.busy();
      this.send({ op: 'parse', id, source, at });
    });
  }

  run(job: PwshJob, cell: PwshCell): Promise<PwshOutcome> {
    if (cell.signal.aborted) return Promise.resolve({ endedBy: 'cancel' });
    if (!this.alive) return Promise.resolve({ sessionLost: `the PowerShell session ${this.exited}`, sessionLostBeforeStart: true });
    return new Promise<PwshOutcome>((resolve) => {
      const timers: NodeJS.Timeout[] = [];
      const stop = (why: 'timeout' | 'cancel') => {
        if (running.endedBy || this.running !== running) return;
        running.endedBy = why;
        this.send({ op: 'stop' });
        // Native commands the cell started are in the session's group: they end now; the session stays.
        if (this.child.pid !== undefined) endGroupExcept(this.child.pid, [this.child.pid, ...(this.hostPid ? [this.hostPid] : [])], cell.graceMs);
        // A pipeline that does not stop (a .NET call that never returns) costs the session.
        timers.push(setTimeout(() => this.kill(), cell.graceMs + 1000));
      };
      const onAbort = () => stop('cancel');
      const running: Running = {
        cell,
        stdout: new SentinelSplitter(this.sentinel, cell.onStdout),
        stderr: new SentinelSplitter(this.sentinel, cell.onStderr),
        finish: (outcome) => {
          cell.signal.removeEventListener('abort', onAbort);
          for (const timer of timers) clearTimeout(timer);
          this.running = undefined;
          this.idle();
          resolve(outcome);
        },
      };
      this.running = running;
      this.busy();
      cell.signal.addEventListener('abort', onAbort, { once: true });
      if (cell.timeoutMs !== undefined && cell.timeoutMs > 0) timers.push(setTimeout(() => stop('timeout'), cell.timeoutMs));
      this.send({ op: 'run', ...job });
    });
  }

  /** Ends the session and every process in its group. */
  close(graceMs: number): void {
    this.closing = true;
    this.channel.end();
    if (this.child.pid === undefined || !this.alive) return;
    const pid = this.child.pid;
    // The channel's end lets the host leave on its own; the group gets SIGTERM, then SIGKILL.
    setTimeout(() => {
      signalGroup(pid, 'SIGTERM');
      forgetGroupWhenGone(pid, graceMs);
    }, 200).unref();
  }

  private kill(): void {
    if (this.child.pid !== undefined) signalGroup(this.child.pid, 'SIGKILL');
  }

  /** Between cells the session must not keep the CLI alive if nobody closes it. */
  private idle(): void {
    this.hold(false);
  }

  private busy(): void {
    this.hold(true);
  }

  private hold(hold: boolean): void {
    for (const handle of [this.child, this.child.stdout, this.child.stderr] as { ref?(): void; unref?(): void }[]) {
      if (hold) handle.ref?.();
      else handle.unref?.();
    }
    this.channel.hold(hold);
  }

  private send(message: object): void {
    this.channel.send(JSON.stringify(message));
  }

  /** One event from the host: `<kind> <json>` (`ready <pid> <paths>` first). */
  private onFrame(line: string): void {
    const space = line.indexOf(' ');
    const kind = space < 0 ? line : line.slice(0, space);
    if (kind === 'ready') {
      const [pid, paths] = line.slice(space + 1).split(' ');
      this.hostPid = Number(pid) || undefined;
      this.paths = paths === 'compiled' || paths === 'script' ? paths : undefined;
    } else {
      let body: unknown;
      try {
        body = JSON.parse(line.slice(space + 1));
      } catch {
        // Only the host writes here (a cell can reach the writer, as it can reach anything in its process): a frame that is not JSON is dropped, never a crash of the run.
        return;
      }
      this.onEvent(kind, body);
    }
    this.settle();
  }

  private onEvent(kind: string, body: unknown): void {
    const running = this.running;
    if (kind === 'o' || kind === 'e') {
      if (running) (kind === 'o' ? running.cell.onStdout : running.cell.onStderr)(body as string);
    } else if (kind === 'q') {
      const question = body as PwshQuestion;
      const asked = running?.cell.ask ? running.cell.ask(question) : Promise.resolve(undefined);
      // No answer (declined, or no one to ask) completes the question: the cell stops there.
      void asked.then((text) => this.send({ op: 'answer', text: text ?? null }), () => this.send({ op: 'answer', text: null }));
    } else if (kind === 'end') {
      if (running) running.end = body as Running['end'];
    } else if (kind === 'p') {
      const report = body as ParseReport & { id: number };
      this.parses.get(report.id)?.resolve(report);
      this.parses.delete(report.id);
      if (!this.running && this.parses.size === 0) this.idle();
    } else if (kind === 'fatal') {
      const message = (body as { message: string }).message;
      if (running) running.hostError = message;
      // A failed request that was not a cell's is a parse: fail them all rather than hang.
      else {
        for (const pending of this.parses.values()) pending.reject(new Error(message));
        this.parses.clear();
      }
    }
  }

  /** Raw output (a .NET Console write, a process started around PowerShell's streams) belongs to the running cell. */
  private raw(chunk: string, stream: 'stdout' | 'stderr'): void {
    if (!this.running) {
      if (this.startupText.length < 4000) this.startupText += chunk;
      return;
    }
    this.running[stream].push(chunk);
    this.settle();
  }

  private settle(): void {
    const running = this.running;
    if (!running) return;
    if (running.hostError && !running.end) {
      running.finish({ hostError: running.hostError });
      return;
    }
    const end = running.end;
    if (!end || !running.stdout.done || !running.stderr.done) return;
    const left: LeftState = { env: end.env, cwd: end.cwd };
    if (running.endedBy) running.finish({ endedBy: running.endedBy, left });
    else if (running.hostError) running.finish({ hostError: running.hostError, left });
    else if (end.refused !== undefined) running.finish({ refused: { prompt: end.refused, declined: Boolean(end.declined), by: end.refusedBy ?? 'Read-Host' }, ...(end.errors ? { errors: end.errors } : {}), left });
    else running.finish({ exitCode: end.code ?? 1, ...(end.errors ? { errors: end.errors } : {}), left });
  }

  private onExit(reason: string, error?: NodeJS.ErrnoException): void {
    if (this.exited !== undefined) return;
    this.exited = this.channelLost ? `lost its channel (${this.channelLost})` : reason;
    reason = this.exited;
    // A host that never joined leaves the channel listening on the run's socket path, where the
    // next session of this executor must listen: closed now, or that one fails with EADDRINUSE.
    this.channel.end();
    if (this.child.pid !== undefined) {
      // What the cell started dies with the session.
      signalGroup(this.child.pid, 'SIGKILL');
      forgetGroupWhenGone(this.child.pid, 0);
    }
    const said = this.startupText.trim().split('\n')[0];
    const why = `the PowerShell session ${reason}${said ? ` (${said})` : ''}`;
    for (const pending of this.parses.values()) pending.reject(new Error(why));
    this.parses.clear();
    const running = this.running;
    if (!running) return;
    if (error) running.finish({ spawnError: { code: error.code ?? 'ENOENT', message: error.message } });
    else if (running.endedBy) running.finish({ endedBy: running.endedBy, killed: true });
    else running.finish({ sessionLost: why });
  }
}
