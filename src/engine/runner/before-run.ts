/**
 * The checks between the plan and the first cell that need the run's executors: the
 * commands each PowerShell cell calls (read by PowerShell's own parser in the run's pwsh
 * session), the values still to ask for, and preflight over the plan, the values bound
 * so far and those commands.
 */
import { dirname, resolve } from 'node:path';
import { commandsNeeded, missingReason, type NeededCommand } from '../commands-needed.js';
import { preflight, type Problem } from '../preflight.js';
import { valuesNeededBy } from '../plan/index.js';
import type { EventBody, RunMode } from '../events.js';
import type { CellPlan, RunPlan } from '../plan/types.js';
import type { Runbook } from '../runbook.js';
import type { Target } from '../target.js';
import type { ExecutorPool } from './executors.js';
import type { Probe } from '../lang/sql/probe.js';

export type Needed = Map<string, NeededCommand[]>;

/** What each cell that will run calls, found or not. */
export async function readCommands(plan: RunPlan, runbook: Runbook, executors: ExecutorPool, env: NodeJS.ProcessEnv): Promise<Needed> {
  const plans = new Map(plan.cells.map((c) => [c.id, c]));
  const planOf = (id: string): CellPlan => plans.get(id) as CellPlan;
  return commandsNeeded({
    cells: runbook.cells.filter((c) => plans.get(c.id)?.willRun === true),
    parserFor: (cell) => executors.parserFor(planOf(cell.id)),
    env,
    cwdOf: (cell) => planOf(cell.id).cwd ?? dirname(resolve(runbook.path)),
  });
}

/**
 * The values to ask for: those of the cells that will run. Unattended, a cell whose
 * commands are missing is skipped (nobody can decide to run it anyway), so its values are
 * not needed and their absence does not refuse the run.
 */
export function valuesToAsk(plan: RunPlan, needed: Needed, mode: RunMode): string[] {
  if (mode !== 'unattended') return plan.neededValues;
  return valuesNeededBy(plan.cells.filter((c) => c.willRun && !missingReason(needed.get(c.id) ?? [])));
}

export interface BeforeRun {
  plan: RunPlan;
  runbook: Runbook;
  mode: RunMode;
  target: Target;
  /** Values still missing after the operator was asked. */
  missing: string[];
  values: Readonly<Record<string, string>>;
  strict: boolean;
  executors: ExecutorPool;
  needed: Needed;
  /** The run's one look at its database (connected or why not), so preflight does not connect again. */
  probe?: Probe;
}

export interface Checked {
  problems: Problem[];
  /** The `run.preflight` event that records the problems and what each cell calls. */
  event: EventBody;
}

export async function checkBeforeRun(input: BeforeRun): Promise<Checked> {
  const { plan, runbook, executors, needed } = input;
  const problems = await preflight({
    plan,
    runbook,
    mode: input.mode,
    target: input.target,
    missing: input.missing,
    values: input.values,
    strict: input.strict,
    parserFor: (cell) => executors.parserFor(cell),
    needed,
    ...(input.probe ? { probe: input.probe } : {}),
  });
  const needs = [...needed].flatMap(([cell, list]) => list.map((n) => ({ cell, ...n })));
  const { probe } = input;
  const database = probe ? { url: input.target.maskedUrl, reachable: !probe.failure, ...(probe.failure ? { reason: probe.failure, code: probe.code ?? '08001' } : {}) } : undefined;
  return { problems, event: { type: 'run.preflight', problems, ...(needs.length ? { needs } : {}), ...(database ? { database } : {}) } };
}
