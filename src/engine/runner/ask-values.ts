/**
 * Asking the operator for the values a run still lacks. A value that fails its pattern
 * is refused (its own event, with the reason) and asked for again, until a valid one or
 * none. Unattended, every value of the cells that will run is asked before the first cell
 * and what stays missing goes to preflight, which decides whether the run may start; in the
 * console a cell's values are asked when the operator runs it, and one left unset skips
 * that cell: a SHA is not invented at minute 0 to be used at minute 14.
 */
import { isSecretVariable, specFor, validateValue, boundEvent, type BoundVariable } from '../variables.js';
import type { EventBody, RunMode } from '../events.js';
import type { Operator } from '../operator.js';
import type { RunPlan } from '../plan/types.js';
import type { Runbook } from '../runbook.js';

export interface AskValues {
  needed: string[];
  values: Readonly<Record<string, string>>;
  runbook: Runbook;
  /** For the names a cell's `export NAME=…` asks for (promptEnv): what the line offers. */
  plan?: RunPlan;
  env?: NodeJS.ProcessEnv;
  mode: RunMode;
  operator: Operator;
  /** The operator's answer, or `aborted` when the run is interrupted while waiting. */
  ask: <T>(pending: Promise<T>) => Promise<T | typeof ABORTED>;
  /** Binds a value at once, so a secret is masked before its own event is written. */
  bind: (variable: BoundVariable) => void;
  emit: (body: EventBody) => void;
  /** Asked as this cell runs (the console), rather than before the first cell. */
  cell?: string;
}

/** What `ask` resolves to when the run is aborted while the operator is being asked. */
export const ABORTED = Symbol('aborted');

/** Asks for each needed value not bound yet; resolves to the names still missing. */
export async function askForValues(opts: AskValues): Promise<string[]> {
  const missing: string[] = [];
  const unbound = opts.needed.filter((n) => opts.values[n] === undefined);
  for (const [index, name] of unbound.entries()) {
    // At a cell, esc is the answer for the cell: the rest of its values are not asked.
    if (opts.cell !== undefined && missing.length) return [...missing, ...unbound.slice(index)];
    const spec = specFor(opts.runbook, name, opts.plan, opts.env);
    let value: string | undefined;
    let refused: string | undefined;
    while (value === undefined && opts.mode !== 'dry-run') {
      const answer = await opts.ask(opts.operator.askVariable(spec, refused, opts.cell === undefined ? undefined : { cell: opts.cell }));
      if (answer === ABORTED || answer === undefined) break;
      const problem = validateValue(spec, answer);
      if (problem) {
        refused = problem;
        opts.emit({ type: 'variable.refused', name, reason: problem });
      } else value = answer;
    }
    if (value === undefined) {
      missing.push(name);
      continue;
    }
    const variable: BoundVariable = { name, value, source: 'prompt', secret: isSecretVariable(spec) };
    opts.bind(variable);
    opts.emit(boundEvent(variable));
  }
  return missing;
}
