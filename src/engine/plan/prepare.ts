/**
 * The prepare step: what the plan can only learn from the target or from a language's
 * session, asked once, before `run.started` (changesets' rule: the plan is complete before
 * anything is applied):
 * - SQL effects decided by the target's own catalogue (what its functions do), and with
 *   them each write's guard;
 * - the programs each cell that will run calls (PowerShell's own parser in the session the
 *   cell will run in), found on PATH or not. Unattended, a cell with a missing one does not
 *   run (nobody is there to decide to run it anyway): `willRun: false`, `missing-command`,
 *   and the run no longer needs its values.
 * `list --check-commands`, dry runs, preflight and `run.started` all show this plan; the
 * runner executes it and never derives one of these facts again. After an operator's edit,
 * `replanCell` gives the attempt's plan the same way.
 */
import { dirname, resolve } from 'node:path';
import { languageOf, LANGUAGES } from '../lang/language.js';
import type { Catalogue } from '../lang/sql/effects.js';
import type { PowerShellParser } from '../placeholders.js';
import type { Cell, Runbook } from '../runbook.js';
import { valuesNeededBy } from './build.js';
import { planConfirm, type GuardContext } from './confirm.js';
import { planEffect } from './effect.js';
import type { CellPlan, NeededCommand, RunPlan } from './types.js';

export interface PrepareContext {
  runbook: Runbook;
  /** PATH for the commands, and the environment a `python -m` check runs in. */
  env: NodeJS.ProcessEnv;
  /** The target's catalogue, once connected; without it PostgreSQL's built-ins decide. */
  catalogue?: Catalogue;
  /** PowerShell's parser in the session a cell runs in (started if need be). Without it no command is read. */
  parserFor?: (plan: CellPlan) => Promise<PowerShellParser | undefined>;
  /** Without `parserFor`: why the commands of a cell that will run were not read (recorded as `needsUnread`). */
  unread?: string;
}

/** The plan completed: effects by the target's catalogue, commands needed, and what follows from them. */
export async function preparePlan(plan: RunPlan, ctx: PrepareContext): Promise<RunPlan> {
  const guard = guardOf(plan);
  const refined = await Promise.all(
    plan.cells.map(async (planned, index) => (ctx.catalogue ? withEffect(planned, ctx.runbook.cells[index]!, undefined, ctx.catalogue, guard) : planned)),
  );
  const needs = ctx.parserFor ? await readNeeds(refined, ctx.runbook, ctx) : undefined;
  const cells = refined.map((planned) => withNeeds(planned, needs, ctx.unread, plan.mode));
  const running = cells.filter((c) => c.willRun);
  const { startsAt: _old, ...rest } = plan;
  return { ...rest, cells, neededValues: valuesNeededBy(running), ...(running[0] ? { startsAt: running[0].id } : {}) };
}

/**
 * The plan of one attempt of `cell` with `source` (an operator's edit): its effect (by the
 * catalogue given, when connected), its write guard for that effect, and the commands the
 * new text calls — read together with the other cells of the run, so a function one of them
 * defines is still not a program. Which cells run does not change.
 */
export async function replanCell(plan: RunPlan, planned: CellPlan, cell: Cell, source: string, ctx: PrepareContext): Promise<CellPlan> {
  const edited = { ...cell, source };
  const refined = await withEffect(planned, edited, source, ctx.catalogue, guardOf(plan));
  if (!ctx.parserFor || !readsCommands(planned)) return refined;
  const others = plan.cells.filter((c) => c.willRun && c.id !== cell.id);
  // The edited cell is read whatever the selection said: the operator is about to run it.
  const needs = await readNeeds([...others, { ...planned, willRun: true }], { ...ctx.runbook, cells: [...ctx.runbook.cells.filter((c) => c.id !== cell.id), edited] }, ctx);
  const { needs: _before, needsUnread: _unread, ...rest } = refined;
  const now = needs.get(cell.id);
  return now ? { ...rest, needs: now } : rest;
}

function guardOf(plan: RunPlan): GuardContext {
  return { mode: plan.mode, allowWrites: plan.allowWrites, ...(plan.targetKind ? { targetKind: plan.targetKind } : {}) };
}

/** The cell's effect for `source` (undefined: as written) and its guard for that effect. */
async function withEffect(planned: CellPlan, cell: Cell, source: string | undefined, catalogue: Catalogue | undefined, guard: GuardContext): Promise<CellPlan> {
  const { effect, because, refused } = await planEffect(cell, source ?? cell.source, catalogue);
  const { refused: _before, ...rest } = planned;
  return { ...rest, effect, effectReason: because, ...(refused ? { refused } : {}), confirm: planConfirm(cell, effect, guard) };
}

/** What each cell that will run calls, by cell id, each language reading its own cells; cells whose commands are not read have no entry. */
async function readNeeds(plans: readonly CellPlan[], runbook: Runbook, ctx: PrepareContext): Promise<Map<string, NeededCommand[]>> {
  const byId = new Map(plans.map((c) => [c.id, c]));
  const planOf = (id: string) => byId.get(id) as CellPlan;
  const running = runbook.cells.filter((c) => byId.get(c.id)?.willRun === true);
  const read = await Promise.all(
    LANGUAGES.map((language) => {
      const cells = running.filter((c) => languageOf(c) === language);
      if (!language.commandsNeeded || cells.length === 0) return new Map<string, NeededCommand[]>();
      return language.commandsNeeded({
        cells,
        parserFor: (cell) => ctx.parserFor!(planOf(cell.id)),
        env: ctx.env,
        cwdOf: (cell) => planOf(cell.id).cwd ?? dirname(resolve(runbook.path)),
      });
    }),
  );
  return new Map(read.flatMap((map) => [...map]));
}

/** Whether the commands of a cell with this plan are read: its language reads them, and its interpreter was found. */
function readsCommands(plan: CellPlan): boolean {
  return languageOf(plan).commandsNeeded !== undefined && plan.interpreter?.command !== undefined;
}

/** The missing ones, as a skip reason: "railway not found on PATH". */
export function missingReason(needed: readonly NeededCommand[]): string | undefined {
  const missing = needed.filter((n) => !n.found);
  if (missing.length === 0) return undefined;
  const commands = missing.filter((n) => !n.name.includes(' -m ')).map((n) => (n.near ? `${n.name} (${n.near} found)` : n.name));
  const modules = missing.filter((n) => n.name.includes(' -m ')).map((n) => n.name.split(' -m ')[1]);
  return [
    ...(commands.length ? [`${commands.join(', ')} not found on PATH`] : []),
    ...(modules.length ? [`python module${modules.length > 1 ? 's' : ''} ${modules.join(', ')} not found`] : []),
  ].join('; ');
}


function withNeeds(planned: CellPlan, needs: Map<string, NeededCommand[]> | undefined, unread: string | undefined, mode: RunPlan['mode']): CellPlan {
  if (!planned.willRun || !readsCommands(planned)) return planned;
  const list = needs?.get(planned.id);
  if (!needs) return unread ? { ...planned, needsUnread: unread } : planned;
  if (!list) return planned;
  const missing = missingReason(list);
  // Unattended, nobody can decide to run it anyway (--strict refuses the run in preflight instead).
  if (missing && mode === 'unattended') return { ...planned, needs: list, willRun: false, whyNot: { reason: 'missing-command', message: missing } };
  return { ...planned, needs: list };
}
