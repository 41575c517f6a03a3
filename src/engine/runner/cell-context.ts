/**
 * What a cell's execution is told and what its start records, in one place for the two
 * ways a cell runs (waited for, or in the background): the bound source, environment,
 * limits and working directory, and the `cell.started` event with the values it used.
 */
import type { EventBody } from '../events.js';
import type { ExecutionContext } from '../lang/executor.js';
import type { GroupIdentity } from '../process/group-identity.js';
import { sessionSettings } from '../lang/sql/reparsed.js';
import { languageOf } from '../lang/language.js';
import type { ExecutorPool, PreparedCell } from './executors.js';
import type { Emitter } from './emitter.js';
import type { CellPlan, Effect } from '../plan/types.js';
import type { Cell } from '../runbook.js';
import type { RunnerOptions } from './types.js';
import { OutputCap } from './output-cap.js';

/** One attempt of one cell, as the runner hands it to an execution (waited for, or in the background). */
export interface CellRun {
  cell: Cell;
  /** The cell's plan: its interpreter and working directory. */
  plan: CellPlan;
  source: string;
  effect: Effect;
  attempt: number;
  /** The attempt's plan is not the one run.started recorded (an edit, an ad-hoc cell): cell.started carries it. */
  replanned?: boolean;
  values: Record<string, string>;
  options: RunnerOptions;
  emitter: Emitter;
  executors: ExecutorPool;
  /** The controller of the running cell, for cancelCurrent() and abort(). */
  setCurrent(controller: AbortController | undefined): void;
  /** An ad-hoc cell: the runbook cell it was made at. */
  adhocAt?: string;
}

export const DEFAULT_MAX_ROWS = 500;
export const DEFAULT_OUTPUT_CAP = 1024 * 1024;

/** `cell.started`: the source as it runs, its effect as planned for that text (and, replanned, the plan), and the values it used (a secret's value is masked by the emitter). */
export function startedEvent(run: CellRun, shown: string, names: readonly string[] = [], extra: GroupIdentity | { background: true } | undefined = undefined): EventBody {
  const { cell, attempt } = run;
  const values = Object.fromEntries(names.map((name) => [name, run.values[name] ?? '']));
  const adhoc = run.adhocAt === undefined ? {} : { adhoc: true, at: run.adhocAt };
  const plan = run.replanned ? { plan: run.plan } : {};
  return { type: 'cell.started', cell: cell.id, lang: cell.lang, line: cell.line, section: cell.section, source: shown, attempt, effect: run.effect, ...plan, ...(names.length ? { values } : {}), ...(extra ?? {}), ...adhoc };
}

/** The executor's context, less what differs between the two ways (`emit`, `onGroup`, a terminal). */
export function cellContext(run: CellRun, prepared: PreparedCell, signal: AbortSignal): Omit<ExecutionContext, 'emit'> {
  const { cell, options } = run;
  const inShell = languageOf(cell).runsIn === 'shell';
  return {
    cell,
    source: prepared.source,
    env: prepared.env,
    // A drill never leaves the sandbox: whatever an earlier cell set, every shell cell starts on it.
    ...(options.target.kind === 'sandbox' && inShell ? { pinned: run.executors.targetEnv.entries() } : {}),
    signal,
    timeoutMs: cell.timeoutMs,
    readOnly: run.effect === 'read',
    attempt: run.attempt,
    // The database session's own settings from the values (`SET app.x`); a shell has its environment.
    ...(!inShell ? { settings: sessionSettings(run.values) } : {}),
    // SQL cells have no working directory; the field is for shells.
    ...(run.plan.cwd ? { cwd: run.plan.cwd, cwdFrom: run.plan.cwdFrom ?? 'runbook' } : { cwd: process.cwd() }),
    maxRows: options.maxRows ?? DEFAULT_MAX_ROWS,
    mask: run.emitter.redact.rules,
    document: options.runbook.path,
  };
}

/** The cell's output cap: what stays in events, what spills to its attempt's sidecar. */
export function outputCap(run: CellRun): OutputCap {
  const { cell, attempt, options, emitter } = run;
  return new OutputCap(cell.id, attempt, options.outputCapBytes ?? DEFAULT_OUTPUT_CAP, options.transcript, () => emitter.redact);
}
