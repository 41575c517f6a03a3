/** The options and result of a run, shared by the runner, the session and the commands. */
import type { CellStatus, EventSink, NotRun, OutputStream, RunEvent, RunMode, RunStatus } from '../events.js';
import type { Operator } from '../operator.js';
import type { Runbook } from '../runbook.js';
import type { Target } from '../target.js';
import type { BoundVariable } from '../variables.js';
import type { SidecarFile } from '../transcript/sidecar.js';

/** What the runner needs of a transcript writer (src/engine/transcript.ts provides it). */
export interface RunTranscript {
  readonly path: string;
  write(event: RunEvent): unknown;
  openSidecar(cell: string, attempt: number, stream: OutputStream): SidecarFile;
}

export interface ResumePoint {
  runId: string;
  nextSeq: number;
  /** Cells that finished before the run stopped; not run again. */
  skipCells: string[];
  /** Their last statuses, so the final counts and exit code cover the whole run. */
  statuses?: Record<string, CellStatus>;
  /** Attempts each cell had before, so attempt numbers (and sidecar names) go on from there. */
  attempts?: Record<string, number>;
  /** The cell the resumed run starts at, for the `run.resumed` event. */
  from?: string;
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
  from?: string;
  only?: string[];
  keepGoing?: boolean;
  strict?: boolean;
  /** Unattended: write cells against a non-sandbox target (and `confirm` cells) may run. */
  allowWrites?: boolean;
  transcript?: RunTranscript;
  resume?: ResumePoint;
  /** Rows kept per result set in events (rowCount stays exact). Default 500. */
  maxRows?: number;
  /** Bytes of output per cell kept in events; the rest goes to a sidecar file. Default 1 MiB. */
  outputCapBytes?: number;
  /** Environment for interpreter lookup and shells. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface RunSummary {
  status: RunStatus;
  counts: Partial<Record<CellStatus, number>>;
  exitCode: number;
  /** Fatal preflight problems, one line each, for the command to print. */
  refused: string[];
  /** Selected cells that did not run, and why (as in run.finished). */
  notRun: NotRun[];
}
