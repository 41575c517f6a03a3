/**
 * Builds the run plan: the selection checked, then per cell its effect, interpreter,
 * working directory, needed names and whether it runs; from the cells that run, whether
 * the run needs a database and so which target it gets; from the target, each write's
 * guard. Reads the runbook, the environment and PATH; opens, starts and connects nothing.
 */
import { dirname, resolve } from 'node:path';
import type { RunMode, TargetKind } from '../events.js';
import type { Cell, Runbook } from '../runbook.js';
import type { Catalogue } from '../lang/sql/effects.js';
import { declaredDatabase, usesDatabaseVariable } from '../target-choice.js';
import { planConfirm } from './confirm.js';
import { languageOf } from '../lang/language.js';
import { planEffect } from './effect.js';
import { planInterpreter, programName } from './interpreter.js';
import { planPrompts } from './prompts.js';
import { checkSelection, resolveSelection, unselected } from './selection.js';
import type { CellPlan, InterpreterPlan, RunPlan, Selection, WhyNot } from './types.js';

export interface PlanInput {
  runbook: Runbook;
  selection?: Selection;
  /** For PATH and the database variable. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Undefined for `runbook list` and `lint`: no run, so no unattended refusal is decided. */
  mode?: RunMode;
  allowWrites?: boolean;
  /**
   * The target's kind once the plan knows whether a cell that runs needs a database
   * (see target-choice.ts); undefined when it cannot be told (writes then count as guarded).
   */
  target?: (needsDatabase: boolean) => TargetKind | undefined;
}

/** Throws InputError for a selection naming an unknown cell, before anything else is looked at. */
export async function planRun(input: PlanInput): Promise<RunPlan> {
  const { runbook } = input;
  const selection = resolveSelection(runbook, input.selection ?? {});
  const env = input.env ?? process.env;
  checkSelection(runbook, selection);
  const runbookDir = dirname(resolve(runbook.path));
  const left = unselected(runbook, selection, input.mode);
  const partial = await Promise.all(runbook.cells.map(async (cell) => planCell(cell, runbook, runbookDir, env, left.get(cell.id))));

  const running = runbook.cells.filter((_, index) => partial[index]!.willRun);
  const envVar = databaseVariable(runbook);
  const needsDatabase = running.some((cell) => languageOf(cell).runsIn === 'database' || usesDatabaseVariable(cell, envVar));
  const targetKind = input.target?.(needsDatabase);
  const guard = { mode: input.mode, allowWrites: input.allowWrites, ...(targetKind ? { targetKind } : {}) };
  const cells = partial.map((plan, index) => ({ ...plan, confirm: planConfirm(runbook.cells[index]!, plan.effect, guard) }));
  const neededValues = valuesNeededBy(partial.filter((plan) => plan.willRun));
  return {
    selection,
    cells,
    neededValues,
    needsDatabase,
    ...(running[0] ? { startsAt: running[0].id } : {}),
    ...(input.mode ? { mode: input.mode } : {}),
    ...(input.allowWrites ? { allowWrites: true } : {}),
    ...(targetKind ? { targetKind } : {}),
  };
}

/** The plan of one cell, without its write guard (that needs the target). */
async function planCell(cell: Cell, runbook: Runbook, runbookDir: string, env: NodeJS.ProcessEnv, notSelected: WhyNot | undefined): Promise<Omit<CellPlan, 'confirm'>> {
  const { effect, because, refused } = await planEffect(cell);
  const interpreter = planInterpreter(cell, runbookDir, env);
  const prompts = await planPrompts(cell, runbook, interpreter);
  // A cell that runs in the database session has no working directory.
  const inShell = languageOf(cell).runsIn === 'shell';
  const explicitCwd = typeof cell.attributes.cwd === 'string' && inShell ? cell.attributes.cwd : undefined;
  const whyNot = notSelected ?? ownReason(cell, interpreter);
  return {
    id: cell.id,
    lang: cell.lang,
    effect,
    effectReason: because,
    ...(refused ? { refused } : {}),
    ...(interpreter ? { interpreter } : {}),
    ...(!inShell ? {} : { cwd: explicitCwd ? resolve(runbookDir, explicitCwd) : runbookDir, cwdFrom: explicitCwd ? 'attribute' : 'runbook' }),
    placeholders: cell.placeholders,
    ...(prompts.length ? { prompts } : {}),
    env: cell.envRefs,
    ...(runsAs(cell) ? { runs: runsAs(cell) } : {}),
    willRun: whyNot === undefined,
    ...(whyNot ? { whyNot } : {}),
  };
}

/**
 * The plan of a cell typed in the console (`a`): the same effect, interpreter, values and
 * write guard as a cell of the runbook would get, decided the same way.
 */
export async function planAdhoc(cell: Cell, runbook: Runbook, input: { env: NodeJS.ProcessEnv; mode: RunMode; allowWrites?: boolean; targetKind: TargetKind; catalogue?: Catalogue }): Promise<CellPlan> {
  const planned = await planCell(cell, runbook, dirname(resolve(runbook.path)), input.env, undefined);
  const effect = input.catalogue ? await planEffect(cell, cell.source, input.catalogue) : undefined;
  const refined = effect ? { ...planned, effect: effect.effect, effectReason: effect.because } : planned;
  return { ...refined, confirm: planConfirm(cell, refined.effect, { mode: input.mode, allowWrites: input.allowWrites, targetKind: input.targetKind }) };
}

/** Why a selected cell does not run: its `skip` attribute, or an interpreter that is not there. */
export function ownReason(cell: Pick<Cell, 'attributes'>, interpreter: InterpreterPlan | undefined): WhyNot | undefined {
  if (cell.attributes.skip === true) return { reason: 'skip-attribute', message: 'skip attribute' };
  // Short, as the cell's skip reason and the run's "did not run" summary say it: `pwsh not found`.
  if (interpreter?.missing) return { reason: 'missing-interpreter', message: `${programName(interpreter)} not found` };
  return undefined;
}

/** The frontmatter's database variable; a broken `database:` line is the target's error to report, not the plan's. */
function databaseVariable(runbook: Runbook): string | undefined {
  try {
    return declaredDatabase(runbook)?.variable;
  } catch {
    return undefined;
  }
}

/** The values `cells` need (placeholders and prompted exports), each once, in first-use order. */
export function valuesNeededBy(cells: readonly Pick<CellPlan, 'prompts' | 'placeholders'>[]): string[] {
  return [...new Set(cells.flatMap((plan) => [...(plan.prompts ?? []).map((p) => p.name), ...plan.placeholders]))];
}

/** Runme's `background` and `interactive`, for sh cells (a SQL or PowerShell cell runs in its session, waited for; lint says so). */
function runsAs(cell: Cell): CellPlan['runs'] {
  if (!languageOf(cell).runme) return undefined;
  if (cell.attributes.background === true) return 'background';
  return cell.attributes.interactive === true ? 'terminal' : undefined;
}
