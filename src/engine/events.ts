/**
 * The RunEvent union: the one currency between the runner, the renderers and the
 * transcript. The transcript contract (version 1) is these objects, one per line,
 * with `hash` appended by the transcript writer.
 */
import type { CellPlan, RunMode, Selection, TargetKind } from './plan/types.js';
import type { Lang } from './runbook.js';

export type CellStatus = 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'timed-out';
/** `incomplete`: nothing failed, but a selected cell did not run for a reason other than the operator's or the runbook's own skip. */
export type RunStatus = 'succeeded' | 'failed' | 'incomplete' | 'aborted';
// Defined with the plan (which events carry), so the two modules do not import each other.
export type { RunMode, TargetKind };
export type OutputStream = 'stdout' | 'stderr' | 'notice';
export type DecisionAction = 'run' | 'skip' | 'edit' | 'retry' | 'jump' | 'quit' | 'cancel' | 'confirm' | 'allow-write';

/** Fields every event carries. `hash` is added on write and is always last. */
export interface EventBase {
  v: 1;
  seq: number;
  /** ISO 8601 UTC with milliseconds. */
  ts: string;
  run: string;
  hash?: string;
}

export interface CellSummary {
  id: string;
  lang: Lang;
  line: number;
  section: string[];
  effect?: 'read' | 'write';
  /** The cell's run plan, the same object `runbook list --json` prints (absent in older transcripts). */
  plan?: CellPlan;
}

export interface RunStarted extends EventBase {
  type: 'run.started';
  runbook: {
    path: string;
    sha256: string;
    title: string;
    /** The runbook's absolute path, so the timeline finds it from any directory (absent in older transcripts). */
    absolutePath?: string;
  };
  actor: string;
  /** `--detected-at`: when the incident was detected (ISO 8601 UTC); the timeline's clock starts there. */
  detectedAt?: string;
  host: string;
  /** URL with the password masked. `none` when the runbook has no SQL cells and no target. */
  target: { kind: TargetKind; url: string; name: string };
  mode: RunMode;
  argv: string[];
  /** The cells asked for (`--from`, `--only`); resume reads it from here, never from argv. */
  selection?: Selection;
  /** The outline, so replay and timeline need not re-read the Markdown. */
  cells: CellSummary[];
  /** Section budgets and the escalation line, for the TUI header on replay. */
  budgets?: { section: string[]; budgetMs: number }[];
  escalation?: string;
  /** The N of "If unresolved in N min", in milliseconds, when the escalation line says it. */
  escalationAfterMs?: number;
  /** The runbook's Symptoms section as written (Markdown), for the timeline's header. */
  symptoms?: string;
  /** The runbook's postmortem checklist as written, so the timeline has it from any directory. */
  checklist?: { text: string; line: number; checked: boolean; owner?: string }[];
}

export interface RunResumed extends EventBase {
  type: 'run.resumed';
  actor: string;
  host: string;
  argv: string[];
  /** The cell the resumed run continues from. */
  from?: string;
  /** The original selection plus the point it resumed after. */
  selection?: Selection;
}

export interface PreflightEvent extends EventBase {
  type: 'run.preflight';
  problems: { kind: string; message: string; cells: string[]; fatal: boolean }[];
  /** The external commands each cell calls (from PowerShell's AST), found on PATH or not. */
  needs?: { cell: string; name: string; found: boolean; near?: string }[];
  /** The run's one look at its database before the first cell (runs with SQL cells): did it answer, and if not why. */
  database?: DatabaseCheck;
}

export interface DatabaseCheck {
  /** The target, password masked. */
  url: string;
  reachable: boolean;
  /** Why not, in one line ("connection refused…", "sorry, too many clients already"). */
  reason?: string;
  /** Its SQLSTATE: the server's (53300, 28P01…), 08001 when no server answered. */
  code?: string;
}

export interface VariableBound extends EventBase {
  type: 'variable.bound';
  name: string;
  /** `written`: the quoted value of the cell's own `export NAME="…"` line (promptEnv), taken unattended. */
  source: 'flag' | 'env' | 'frontmatter' | 'prompt' | 'default' | 'target' | 'written';
  secret: boolean;
  /** Absent for secrets: the transcript records that a value was given, never the value. */
  value?: string;
}

/**
 * A value the operator typed that failed its pattern: recorded as what it is, not as a
 * note in the operator's name. The reason never holds a secret's value.
 */
export interface VariableRefused extends EventBase {
  type: 'variable.refused';
  name: string;
  reason: string;
}

export interface CellStarted extends EventBase {
  type: 'cell.started';
  cell: string;
  lang: Lang;
  line: number;
  section: string[];
  /** The source as run, after any edit, with placeholders as bound (never secret values). */
  source: string;
  attempt: number;
  /** The placeholder values this attempt used, by name (secrets masked), so the record says which JOB_TYPE ran. */
  values?: Record<string, string>;
  /** The attempt's effect as planned for the text that ran (after an edit, the edit's plan). */
  effect?: 'read' | 'write';
  /** An edited (or ad-hoc) cell's plan for the text that ran, from replanCell: `run.started` has the plan of the text as written. */
  plan?: CellPlan;
  /** Shell cells: the process group the attempt runs in, known before it runs a line (resume checks it is gone). */
  pgid?: number;
  /** With `pgid`: `<boot id>:<start ticks>` of the group's leader, so a reused pid is not taken for the group. */
  leaderStart?: string;
  /** Runme's `background`: the run does not wait for this cell; its `cell.finished` comes when it exits or the run ends. */
  background?: boolean;
  /** A cell typed in the console during the run, not one of the runbook's (`line` and `section` are those of `at`). */
  adhoc?: boolean;
  /** With `adhoc`: the runbook cell the operator was at when they made it. */
  at?: string;
}

export interface CellOutput extends EventBase {
  type: 'cell.output';
  cell: string;
  stream: OutputStream;
  data: string;
}

/** Output past the per-cell cap went to a sidecar file; the transcript says where. */
export interface CellOutputSpilled extends EventBase {
  type: 'cell.output.spilled';
  cell: string;
  stream: OutputStream;
  /** Path of the sidecar file, relative to the transcript's directory. */
  path: string;
  /** The attempt whose output it holds (one sidecar per cell attempt and stream). */
  attempt?: number;
}

/** A sidecar is complete: its byte count and sha256 put its contents inside the hash chain. */
export interface CellOutputClosed extends EventBase {
  type: 'cell.output.closed';
  cell: string;
  stream: OutputStream;
  path: string;
  bytes: number;
  sha256: string;
}

export interface SqlResult extends EventBase {
  type: 'sql.result';
  cell: string;
  /** Statement number within the cell, from 1. */
  index: number;
  statement: string;
  /** The statement's leading comment, if any. */
  title?: string;
  command: string;
  columns: string[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
}

/**
 * A SQL write's server-side identity, on disk (synced) before its first statement runs:
 * the backend that runs it and, when the engine opened the transaction, its id. `runbook
 * resume` asks the server what became of an attempt the CLI did not live to finish
 * (`pg_xact_status`), so a write is never done twice.
 */
export interface SqlTransaction extends EventBase {
  type: 'sql.transaction';
  cell: string;
  attempt: number;
  /** The backend process (pg_backend_pid()). */
  pid: number;
  /** The backend's start time as the server reports it: with `pid`, names that backend and no later one with a reused pid. */
  backendStart: string;
  /** pg_current_xact_id() of the transaction the engine opened; absent when the cell manages its own transactions. */
  xid?: string;
  /** Why the engine did not open the transaction (the cell's own BEGIN/COMMIT, VACUUM, an earlier cell's open transaction…). */
  own?: string;
}

/** One statement of a rehearsal, as recorded and as the console shows it. */
export interface RehearsedStatement {
  /** 1-based statement number in the cell. */
  index: number;
  title?: string;
  /** The command tag the server answered (UPDATE, INSERT…), when the statement ran. */
  command?: string;
  /** Rows it would change (or return), when it ran. */
  rowCount?: number;
  /** `rehearsed`: ran and was rolled back; `failed`: the server refused it (nothing after it ran); `not-rehearsed`: see `why`. */
  outcome: 'rehearsed' | 'failed' | 'not-rehearsed';
  why?: string;
  error?: { message: string; code?: string };
}

/**
 * A rehearsal of a SQL write: run in a transaction that was rolled back, counted per
 * statement (no rows). `error` when the rehearsal itself could not run (no connection,
 * SQL that does not parse).
 */
export interface SqlRehearsal extends EventBase {
  type: 'sql.rehearsal';
  cell: string;
  statements: RehearsedStatement[];
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  error?: string;
}

export interface CellError {
  message: string;
  /** SQLSTATE for SQL, an errno-style code or `ETIMEDOUT`/`ECANCELED` otherwise. */
  code?: string;
  detail?: string;
  hint?: string;
  /** 1-based line in the document the error points at, when known. */
  line?: number;
  /** The database did not answer (refused, timed out, at its connection limit, bad password): nothing of the cell ran. */
  unreachable?: boolean;
}

/**
 * A shell or PowerShell cell changed where the database is for the cells after it
 * (DATABASE_URL, the frontmatter's variable, PGHOST…): values masked. `reset`: a sandbox
 * run set it back to the sandbox for every later cell; otherwise later shell and PowerShell
 * cells follow it while SQL cells stay on the run's target.
 */
export interface TargetChanged extends EventBase {
  type: 'target.changed';
  cell: string;
  name: string;
  /** Absent: it was not set. */
  from?: string;
  /** Absent: the cell unset it. */
  to?: string;
  reset: boolean;
}

export interface CellFinished extends EventBase {
  type: 'cell.finished';
  cell: string;
  status: CellStatus;
  durationMs: number;
  exitCode?: number;
  error?: CellError;
  /** PowerShell: errors the cell wrote and went on after (error records, statements that exited non-zero); absent when none. */
  errors?: number;
  /** Why a cell was skipped (operator, `skip` attribute, missing interpreter…). */
  reason?: string;
  /** Skipped because it could not run (a missing interpreter or command), not by anyone's choice: the run counts it as not run. */
  unavailable?: true;
  /** The attempt this closes, when it is not the cell's latest (a killed attempt settled on resume). */
  attempt?: number;
  /** How a killed SQL attempt ended, as the server told `runbook resume`: the status is from this, not from the CLI. */
  evidence?: { xid?: string; pid: number; xactStatus: 'committed' | 'aborted' | 'unknown'; decidedBy?: 'server' | 'operator' | 'flag' };
}

export interface OperatorDecision extends EventBase {
  type: 'operator.decision';
  cell: string;
  action: DecisionAction;
  actor: string;
  /** The edited source, when action is `edit`. */
  source?: string;
  /** The source before the edit, when action is `edit`, so the change can be shown as a diff. */
  previous?: string;
  /** The jump target, when action is `jump`. */
  to?: string;
  /** `confirm`: how the write was confirmed (the console: the operator typed the target's name). */
  by?: 'typed';
  /** `allow-write`: the command-line flag that allowed an unattended write; nobody typed anything. */
  flag?: string;
  /** Why, when the operator gave a reason (a skip). */
  reason?: string;
}

export interface OperatorNote extends EventBase {
  type: 'operator.note';
  text: string;
  actor: string;
  cell?: string;
  /** Read from the text when written (note-marks.ts): `detected 02:55 …` / `symptom …` mark a moment of the incident. */
  mark?: 'detected' | 'first-symptom';
  /** With `mark`: the moment it stands for, ISO 8601 UTC. */
  markedAt?: string;
  /** `role: IC` names a role; `holder` who holds it when not the note's author. */
  role?: string;
  holder?: string;
}

export interface ChecklistTicked extends EventBase {
  type: 'checklist.ticked';
  item: string;
  checked: boolean;
  line: number;
  actor: string;
}

/** A selected cell that did not run, and why (`pwsh not found`, `cancelled`, `not reached: …`). */
export interface NotRun {
  cell: string;
  reason: string;
}

export interface RunFinished extends EventBase {
  type: 'run.finished';
  status: RunStatus;
  durationMs: number;
  counts: Partial<Record<CellStatus, number>>;
  /** How many cells the run selected (all, or `--from`/`--only`), so "5 of 7 did not run" can be said. */
  selected?: number;
  /** Selected cells that did not run for a reason other than the operator's or the runbook's skip. */
  notRun?: NotRun[];
  /** Why an aborted run ended from outside: `interrupted (SIGINT)`, `hangup (SIGHUP)`, `stdout closed`, a transcript write error… */
  reason?: string;
}

/** The runbook's escalation time ("If unresolved in 15 min…") reached with the run still going; recorded when a notifier asks for it. */
export interface RunEscalation extends EventBase {
  type: 'run.escalation';
  afterMs: number;
  escalation?: string;
}

/** `--notify`: the command stopped taking events (it exited, or fell behind a full queue). Recorded once per run. */
export interface NotifyFailed extends EventBase {
  type: 'notify.failed';
  reason: string;
  /** Events not delivered so far. */
  dropped: number;
}

export type RunEvent =
  | RunStarted
  | RunResumed
  | PreflightEvent
  | VariableBound
  | VariableRefused
  | CellStarted
  | CellOutput
  | CellOutputSpilled
  | CellOutputClosed
  | SqlResult
  | SqlTransaction
  | SqlRehearsal
  | CellFinished
  | TargetChanged
  | OperatorDecision
  | OperatorNote
  | ChecklistTicked
  | RunFinished
  | RunEscalation
  | NotifyFailed;

export type RunEventType = RunEvent['type'];

/** An event as the runner creates it, before it is stamped with v/seq/ts/run. */
export type EventBody = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, keyof EventBase> : never) : never;

/** A consumer of events: the transcript writer, a renderer, a test. */
export type EventSink = (event: RunEvent) => void;

/** An event read from a transcript whose type this version does not know. */
export interface UnknownEvent extends EventBase {
  type: string;
  [key: string]: unknown;
}
