/**
 * One small interface for every language family. The runner hands an executor a
 * prepared cell; the executor streams events through `emit` and resolves to a result.
 */
import { statSync } from 'node:fs';
import type { Cell, Lang } from '../runbook.js';
import type { EnvChange } from '../process/shell-session.js';
import type { CellError, CellOutput, CellStatus, SqlResult, SqlTransaction } from '../events.js';
import type { MaskRules } from '../redact.js';

/** Event bodies an executor may emit; the runner stamps, redacts and fans them out. */
export type ExecutorEvent =
  | Omit<CellOutput, 'v' | 'seq' | 'ts' | 'run' | 'hash'>
  | Omit<SqlResult, 'v' | 'seq' | 'ts' | 'run' | 'hash'>
  | Omit<SqlTransaction, 'v' | 'seq' | 'ts' | 'run' | 'hash'>;

export interface ExecutionContext {
  cell: Cell;
  /** The source to run, placeholders already rewritten (SQL literals / shell env references). */
  source: string;
  /** Environment for shells: process env + target URL + bound variables. */
  env: Record<string, string>;
  /** Shells: names set (or, undefined, unset) after what earlier cells carried: a drill's target, reset before every cell. */
  pinned?: Readonly<Record<string, string | undefined>>;
  /** Cancellation: the operator pressed `c`, or SIGINT. */
  signal: AbortSignal;
  timeoutMs?: number;
  /** Run SQL inside a READ ONLY transaction (the cell is classified or marked readonly). */
  readOnly: boolean;
  /** The attempt's number over the run (a SQL write records it with its transaction). Default 1. */
  attempt?: number;
  /** Working directory for shells (the runbook's directory unless the cell says `cwd`), from the cell's plan. */
  cwd: string;
  /** SQL: session settings to hold before the cell runs (`runbook.<name>` → value), set with bound parameters. */
  settings?: Record<string, string>;
  /**
   * `attribute`: the cell named its `cwd`, which always applies. Otherwise a `cd` in an
   * earlier cell of the same shell carries over.
   */
  cwdFrom?: 'attribute' | 'runbook';
  /**
   * A question the cell asks as it runs (PowerShell's Read-Host), put to the operator: the
   * answer, or undefined when they declined. Absent where nobody can answer (unattended).
   */
  ask?(question: CellQuestion): Promise<string | undefined>;
  /**
   * The run's masking as it stands when the cell starts, for an interpreter that lays values
   * out itself (PowerShell's formatter wraps and truncates them, so it masks them first).
   */
  mask?: MaskRules;
  /** The runbook's path as the operator named it: where a shell's error positions point. */
  document?: string;
  /** Rows kept per result set in events; the rowCount stays exact. */
  maxRows: number;
  /** Runme's `interactive` in the console: the cell gets the operator's terminal through this (not gated: no group is reported). */
  terminal?: TerminalHandOver;
  emit(event: ExecutorEvent): void;
  /**
   * The cell's process group is known and registered to die with the CLI, and the cell
   * has not run a line yet (a `gated` executor holds it until this returns). Aborting
   * `signal` in here keeps the cell from ever running.
   */
  onGroup?(pgid: number): void;
}

/**
 * The console lends its terminal to a cell: `use` runs (synchronously, as the pager and the
 * editor do) with the terminal in cooked mode and no console keys; the console takes it back after.
 */
export interface TerminalHandOver {
  run<T>(use: () => T): T;
}

export interface ExecutionResult {
  status: Extract<CellStatus, 'succeeded' | 'failed' | 'cancelled' | 'timed-out'>;
  exitCode?: number;
  error?: CellError;
  /** Shells: what the cell changed in the environment it hands to the next cell. */
  envChanges?: EnvChange[];
  /** Errors the cell wrote and went on after (PowerShell), when any. */
  errors?: number;
}

/**
 * What a running cell asks the operator: Read-Host's prompt (`secure` for -AsSecureString),
 * or a question through PowerShell's host (a `-Confirm` confirmation, `$Host.UI.PromptForChoice`,
 * Get-Credential): `by` names who asks (the caption, e.g. `Confirm`; Read-Host when absent),
 * `detail` the lines of its message, `prompt` the line answered (`[Y] Yes  [N] No …`).
 */
export interface CellQuestion {
  prompt: string;
  secure: boolean;
  by?: string;
  detail?: string[];
}

/** A cell started and not waited for (Runme's `background`): its group, and its result once it ends. */
export interface BackgroundRun {
  /** The process group the cell runs in, once known. */
  pgid?: number;
  /** Resolves when the cell's leader exits, by itself or stopped through the context's signal. */
  done: Promise<ExecutionResult>;
}

export interface Executor {
  readonly lang: Lang;
  /** Each cell runs in its own process group, reported through `onGroup` before the cell runs a line. */
  readonly gated?: boolean;
  /**
   * A write cell puts a record of its own, synced (SYNC_TYPES in transcript/writer.ts), on
   * disk before anything of the cell reaches its target, or sends nothing of it: its
   * `cell.started` then shares that sync (the SQL executor's `sql.transaction`).
   */
  readonly recordsWritesFirst?: boolean;
  run(context: ExecutionContext): Promise<ExecutionResult>;
  /** Starts a cell without waiting for it; shells only. Aborting the context's signal stops its process tree. */
  start?(context: ExecutionContext): BackgroundRun;
  /** Loads what `start` needs, so that it spawns the cell before it returns (the runner awaits this first). */
  readyToStart?(): Promise<void>;
  /** Starts the session its first cell or parse would start, now, without waiting for it (runner/executors.ts startParsers). */
  startSession?(): void;
  /** Ends sessions and connections. Safe to call twice. */
  close(): Promise<void>;
}

/** How a shell executor's process reports back for one cell: its limits and its two streams as events. */
export function shellCellIo(context: ExecutionContext, graceMs: number) {
  return {
    signal: context.signal,
    ...(context.timeoutMs !== undefined ? { timeoutMs: context.timeoutMs } : {}),
    graceMs,
    ...(context.onGroup ? { onGroup: context.onGroup } : {}),
    onStdout: (data: string) => context.emit({ type: 'cell.output', cell: context.cell.id, stream: 'stdout', data }),
    onStderr: (data: string) => context.emit({ type: 'cell.output', cell: context.cell.id, stream: 'stderr', data }),
  };
}

/**
 * A cell's own `cwd` always applies; otherwise a `cd` in an earlier cell of the same shell
 * carries over, unless that directory is gone (a cell that removed it): then the cell
 * starts where it would without the carry, rather than every later cell failing before
 * its first line.
 */
export function shellCwd(context: ExecutionContext, carried: string | undefined): string {
  if (context.cwdFrom === 'attribute' || carried === undefined) return context.cwd;
  return isDirectory(carried) ? carried : context.cwd;
}

/** The directory an earlier cell left, when it no longer exists (for a note in the cell's output). */
export function goneCwd(context: ExecutionContext, carried: string | undefined): string | undefined {
  return context.cwdFrom !== 'attribute' && carried !== undefined && !isDirectory(carried) ? carried : undefined;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
