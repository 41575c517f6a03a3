/**
 * One attempt of one cell, as the plan has it: the write guard (the operator's
 * confirmation, with a rehearsal of a SQL write offered), then the execution (waited for,
 * or started in the background), then its end on the ledger. An ad-hoc cell's end is
 * recorded like any cell's, but it is not one the run answers for.
 */
import type { CellStatus, SqlRehearsal } from '../events.js';
import { languageOf } from '../lang/language.js';
import type { CellPlan } from '../plan/types.js';
import type { Cell } from '../runbook.js';
import type { ABORTED } from './ask-values.js';
import type { BackgroundCells } from './background.js';
import type { Emitter } from './emitter.js';
import { executeCell } from './execute-cell.js';
import { prepareCell, type ExecutorPool } from './executors.js';
import type { Interrupts } from './interrupts.js';
import type { CellLedger } from './ledger.js';
import { finishedEvent } from './records.js';
import { rehearsalEvent } from './rehearsal.js';
import type { Catalogue } from '../lang/sql/effects.js';
import type { RunnerOptions } from './types.js';
import { passWriteGuard } from './write-guard.js';

/** What an attempt uses of the run: the runner's own parts, shared, never copied. */
export interface AttemptDeps {
  options: RunnerOptions;
  emitter: Emitter;
  executors: ExecutorPool;
  ledger: CellLedger;
  background: BackgroundCells;
  interrupts: Interrupts;
  /** The values bound so far (read when the cell is bound). */
  values: Record<string, string>;
  /** Cells whose last attempt could not reach the database. */
  unreachable: Set<string>;
  /** The target's catalogue as the run knows it now: what a rehearsal may run. */
  catalogue?: Catalogue;
  ask<T>(pending: Promise<T>): Promise<T | typeof ABORTED>;
}

export interface AttemptRequest {
  cell: Cell;
  source: string;
  /** The attempt's plan: run.started's, or replanCell's after an edit, or an ad-hoc cell's. */
  plan: CellPlan;
  attempt: number;
  /** The plan is not the one run.started recorded, so cell.started carries it. */
  replanned: boolean;
  /** An ad-hoc cell: the runbook cell it was made at. */
  adhocAt?: string;
}

/** A write in the database's own session can be run and rolled back to show what it would change. */
export function rehearsable(cell: Cell): boolean {
  return languageOf(cell).runsIn === 'database';
}

/** Resolves to the attempt's status; undefined for a background cell that started. */
export async function runAttempt(deps: AttemptDeps, request: AttemptRequest): Promise<CellStatus | undefined> {
  const { cell, source, plan, attempt, replanned, adhocAt } = request;
  const { options, emitter, ledger } = deps;
  const { target, operator } = options;
  const { effect } = plan;
  const finish: CellLedger['finish'] = adhocAt === undefined ? (...args) => ledger.finish(...args) : (id, status, durationMs, result, reason, _unavailable, ranAs) => {
    emitter.emit(finishedEvent(id, status, durationMs, result, reason), ranAs);
    return status;
  };
  const guard = await passWriteGuard({
    cell,
    plan,
    target,
    operator,
    ask: (pending) => deps.ask(pending),
    // The approval rides on the write's synced cell.started (writer.ts mustSync).
    emit: (body) => emitter.emit(body, effect),
    ...(rehearsable(cell) ? { rehearse: () => rehearse(deps, cell, source) } : {}),
  });
  if (guard === 'aborted') return 'cancelled';
  if (guard === 'refused') return finish(cell.id, 'skipped', 0, {}, `write to ${target.name} not confirmed: refused by the operator`);
  const run = {
    cell,
    plan,
    source,
    effect,
    attempt,
    ...(replanned ? { replanned: true } : {}),
    values: deps.values,
    options,
    emitter,
    executors: deps.executors,
    setCurrent: (controller: AbortController | undefined) => {
      deps.interrupts.running(cell.id, controller);
    },
    ...(adhocAt !== undefined ? { adhocAt } : {}),
  };
  if (plan.runs === 'background') return deps.background.start(run);
  const outcome = await executeCell(run);
  if (outcome.result.error?.unreachable) deps.unreachable.add(cell.id);
  else deps.unreachable.delete(cell.id);
  return finish(cell.id, outcome.status, outcome.durationMs, outcome.result, undefined, undefined, effect);
}

/** The attempt's text as it would run, rehearsed on the target and rolled back; on record before anyone sees it. */
async function rehearse(deps: AttemptDeps, cell: Cell, source: string): Promise<SqlRehearsal> {
  const { emitter, values, options } = deps;
  let bound = source;
  try {
    bound = (await prepareCell(cell, source, values, undefined, options.env)).source;
  } catch (error) {
    return emitter.emit({ type: 'sql.rehearsal', cell: cell.id, statements: [], error: (error as Error).message }) as SqlRehearsal;
  }
  return emitter.emit(await rehearsalEvent(cell, bound, values, options.target, deps.catalogue)) as SqlRehearsal;
}
