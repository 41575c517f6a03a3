/**
 * Runs one interpreter process as the leader of its own process group, streams its
 * output, and ends the whole tree (children and grandchildren too) on timeout, on
 * cancel, when the leader exits, and when the CLI dies: a cell's processes end with the
 * cell. Supervision (signals, grace period, dying with the CLI) is process-group.ts's.
 *
 * The interpreter starts behind a gate (gate.ts): a tiny `sh` prelude that waits for one
 * byte before it execs the real program. The byte is written only once the group is
 * registered with the reaper and `onGroup` has put it on record, so a kill -9 of the CLI
 * at any moment leaves no cell running unsupervised: before the byte, the prelude reads
 * EOF and exits without running anything.
 */
import { execa } from 'execa';
import type { Writable } from 'node:stream';
import { gatedCommand, openGate, shutGate } from './gate.js';
import { GroupSupervisor, type StopReason } from './process-group.js';

/** A cell's limits and streams, as a process tree and the bash session take them (see shellCellIo). */
export interface CellIo {
  signal: AbortSignal;
  timeoutMs?: number;
  /** Between SIGTERM and SIGKILL. */
  graceMs: number;
  onStdout(chunk: string): void;
  onStderr(chunk: string): void;
  /**
   * The cell's process group is known and registered to die with the CLI; nothing of the
   * cell has run yet. Abort the signal in it to keep the cell from running.
   */
  onGroup?(pgid: number): void;
}

export interface TreeOptions extends CellIo {
  cwd: string;
  env: Record<string, string>;
}

export interface TreeOutcome {
  exitCode?: number;
  /** The signal that ended the leader, when one did. */
  signal?: string;
  /** Why we ended it: the cell's timeout or a cancel. */
  endedBy?: StopReason;
  /** The long-lived shell the cell ran in ended under it (see bash-session.ts). */
  sessionLost?: string;
  /** The session died before the cell started: it may be run again on a new session. */
  sessionLostBeforeStart?: boolean;
  /** The interpreter could not be started (ENOENT, EACCES…). */
  spawnError?: { code: string; message: string };
}

export async function runProcessTree(file: string, args: string[], options: TreeOptions): Promise<TreeOutcome> {
  if (options.signal.aborted) return { endedBy: 'cancel' };
  const gated = gatedCommand(file, args, options.env.PATH ?? '', options.cwd);
  if ('missing' in gated) return { spawnError: { code: 'ENOENT', message: `${file} not found` } };
  const group = new GroupSupervisor(options);
  const subprocess = execa(gated.file, gated.args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    // fd 3: the gate.
    stdio: ['ignore', 'pipe', 'pipe', ...(gated.gate ? (['pipe'] as const) : [])],
    buffer: false,
    reject: false,
    // Its own process group (setsid), so one kill(-pgid) reaches every descendant.
    detached: true,
    windowsHide: true,
  });
  const gate = gated.gate ? (subprocess.stdio[3] as Writable | undefined) : undefined;
  if (subprocess.pid !== undefined) {
    group.start(subprocess.pid);
    options.onGroup?.(subprocess.pid);
  }
  // Registered and on record: the cell may run, unless it was cancelled (or the record failed) meanwhile.
  if (gate && subprocess.pid !== undefined && !options.signal.aborted) openGate(gate);
  else if (gate) shutGate(gate);

  subprocess.stdout?.setEncoding('utf8');
  subprocess.stderr?.setEncoding('utf8');
  subprocess.stdout?.on('data', (chunk: string) => options.onStdout(chunk));
  subprocess.stderr?.on('data', (chunk: string) => options.onStderr(chunk));
  // Background children would hold the pipes open: the leader's exit ends the tree.
  subprocess.once('exit', () => group.finish());

  try {
    const result = await subprocess;
    const { endedBy } = group.outcome;
    if (result.exitCode === undefined && result.signal === undefined && !endedBy) {
      const cause = result.cause as NodeJS.ErrnoException | undefined;
      return { spawnError: { code: cause?.code ?? 'ENOENT', message: cause?.message ?? result.shortMessage ?? 'could not start' } };
    }
    const outcome: TreeOutcome = {};
    if (result.exitCode !== undefined) outcome.exitCode = result.exitCode;
    if (result.signal !== undefined) outcome.signal = result.signal;
    if (endedBy) outcome.endedBy = endedBy;
    return outcome;
  } finally {
    group.finish();
  }
}

