/** The options and result of a run, shared by the runner, the session and the commands. */
import type { CellFinished, CellStatus, EventSink, NotRun, OutputStream, RunEvent, RunMode, RunStatus } from '../events.js';
import type { Operator } from '../operator.js';
import type { RunPlan, Selection } from '../plan/types.js';
import type { Runbook } from '../runbook.js';
import type { Target } from '../target.js';
import type { BoundVariable } from '../variables.js';
import type { SidecarFile } from '../transcript/sidecar.js';

/** What the runner needs of a transcript writer (src/engine/transcript.ts provides it). */
export interface RunTranscript {
  readonly path: string;
  /** `effect`: the planned effect of the cell the event belongs to (transcript/writer.ts mustSync). */
  write(event: RunEvent, effect?: 'read' | 'write'): unknown;
  openSidecar(cell: string, attempt: number, stream: OutputStream): SidecarFile;
}

/** A run continued by `runbook resume`; which cells remain is the plan's selection (`resume`). */
export interface ResumePoint {
  runId: string;
  nextSeq: number;
  /** The last statuses of cells that finished before, so the final counts and outcome cover the whole run. */
  statuses?: Record<string, CellStatus>;
  /** Attempts each cell had before, so attempt numbers (and sidecar names) go on from there. */
  attempts?: Record<string, number>;
  /** Cells skipped before because they could not run, with why: still not run, for run.finished.notRun. */
  unavailable?: Record<string, string>;
  /** Killed attempts of SQL writes, settled from what the server said: recorded (`cell.finished`) before the first cell. */
  settled?: SettledAttempt[];
}

/** How a killed attempt ended, as `runbook resume` found out (see commands/resume-writes.ts). */
export interface SettledAttempt {
  cell: string;
  attempt: number;
  status: Extract<CellStatus, 'succeeded' | 'cancelled'>;
  /** Its recorded span: from its cell.started to the last event before the run stopped (what the timeline draws). */
  durationMs: number;
  reason: string;
  evidence: NonNullable<CellFinished['evidence']>;
}

export interface RunnerOptions {
  /** The run id; the session makes it first so the transcript's file name can carry it. */
  runId?: string;
  runbook: Runbook;
  operator: Operator;
  target: Target;
  mode: RunMode;
  /** Values bound before the run (flags, environment, defaults, a resumed transcript). */
  variables: BoundVariable[];
  /** More values to mask everywhere (secret environment values a cell references). */
  secrets?: string[];
  sinks?: EventSink[];
  actor: string;
  argv: string[];
  /** `--detected-at`, ISO 8601 UTC: recorded in run.started. */
  detectedAt?: string;
  /** The plan the command made before opening anything; built from `selection` when absent (tests). */
  plan?: RunPlan;
  selection?: Selection;
  keepGoing?: boolean;
  strict?: boolean;
  /** Unattended: write cells against a non-sandbox target (and `confirm` cells) may run. */
  allowWrites?: boolean;
  /** Dry run: rehearse every SQL write on the target (run, counted, rolled back). */
  rehearse?: boolean;
  transcript?: RunTranscript;
  resume?: ResumePoint;
  /** Rows kept per result set in events (rowCount stays exact). Default 500. */
  maxRows?: number;
  /** Bytes of output per cell kept in events; the rest goes to a sidecar file. Default 1 MiB. */
  outputCapBytes?: number;
  /** Environment for interpreter lookup and shells. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * How a run ended, for the command to turn into an exit code: every cell fine (or quit
 * with none failed), a cell failed, nothing failed but a selected cell did not run,
 * refused before the first cell, or interrupted.
 */
export type RunOutcome = 'ok' | 'cell-failed' | 'incomplete' | 'refused' | 'interrupted';

export interface RunSummary {
  status: RunStatus;
  counts: Partial<Record<CellStatus, number>>;
  outcome: RunOutcome;
  /** Fatal preflight problems, one line each, for the command to print. */
  refused: string[];
  /** Selected cells that did not run, and why (as in run.finished). */
  notRun: NotRun[];
}
