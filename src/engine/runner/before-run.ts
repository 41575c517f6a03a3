/**
 * The checks between the plan and the first cell that need the run's executors: preflight
 * over the final plan (commands needed included), the values bound so far, and the binding
 * of PowerShell cells by PowerShell's own parser in the run's pwsh session.
 */
import { preflight, type Problem } from '../preflight.js';
import type { EventBody, RunMode } from '../events.js';
import type { RunPlan } from '../plan/types.js';
import type { Runbook } from '../runbook.js';
import type { Target } from '../target.js';
import type { ExecutorPool } from './executors.js';
import type { Probe } from '../lang/sql/probe.js';

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
  /** The run's one look at its database (connected or why not), so preflight does not connect again. */
  probe?: Probe;
}

export interface Checked {
  problems: Problem[];
  /** The `run.preflight` event that records the problems and what each cell calls. */
  event: EventBody;
}

export async function checkBeforeRun(input: BeforeRun): Promise<Checked> {
  const { plan, runbook, executors } = input;
  const problems = await preflight({
    plan,
    runbook,
    mode: input.mode,
    target: input.target,
    missing: input.missing,
    values: input.values,
    strict: input.strict,
    parserFor: (cell) => executors.parserFor(cell),
    ...(input.probe ? { probe: input.probe } : {}),
  });
  const needs = plan.cells.flatMap((c) => (c.needs ?? []).map((n) => ({ cell: c.id, ...n })));
  const { probe } = input;
  const database = probe ? { url: input.target.maskedUrl, reachable: !probe.failure, ...(probe.failure ? { reason: probe.failure, code: probe.code ?? '08001' } : {}) } : undefined;
  return { problems, event: { type: 'run.preflight', problems, ...(needs.length ? { needs } : {}), ...(database ? { database } : {}) } };
}
