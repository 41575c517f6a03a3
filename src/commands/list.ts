/**
 * `runbook list <file.md> [--json]`: the outline of a runbook, section by section, or
 * the DESIGN.md JSON shape with each cell's run plan — the same plan objects a run
 * records in run.started, made here for a run of every cell against the target the
 * environment names. Loads no UI code, and the SQL parser only for SQL cells.
 */
import { InputError } from '../engine/errors.js';
import { readRunbookFile } from '../engine/parse.js';
import { planRun, preparePlan, type CellPlan, type RunPlan } from '../engine/plan/index.js';
import type { Cell, Runbook, VariableSpec } from '../engine/runbook.js';
import { isSecretName, MASK } from '../engine/redact.js';
import { isSecretVariable } from '../engine/variables.js';
import { chooseTarget } from '../engine/target.js';
import { EXIT } from './exit.js';
import { proseSections } from '../engine/prose-sections.js';
import { countOf, diagnosticMessage, shortMessage } from '../renderers/text/message.js';

export interface ListOptions {
  json?: boolean;
  /** Start the PowerShell session to read which programs each PowerShell cell calls (`needs`), as a run does. */
  checkCommands?: boolean;
}

/**
 * Why a plain `list` leaves a PowerShell cell's commands unread: reading them takes PowerShell's
 * own parser, so a pwsh process (about half a second of CPU, more under load) that an author
 * listing a runbook, or CI on every commit, did not ask for. A run reads them before
 * `run.started`; `--check-commands` reads them here the same way.
 */
export const NEEDS_UNREAD = 'read when a run starts, in its pwsh session (list --check-commands reads them now)';

export async function list(file: string, opts: ListOptions = {}): Promise<number> {
  const runbook = await readRunbookFile(file);
  const plan = await listPlan(runbook, process.env, opts.checkCommands === true);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(listJson(runbook, plan), null, 2)}\n`);
    return EXIT.ok;
  }
  if (runbook.cells.length === 0) {
    process.stdout.write(`${file}: no executable cells (no sql, powershell or sh fences); nothing to run\n`);
  } else {
    // Loaded for the text outline only: its width helpers (string-width, wrap-ansi) are start-up --json need not pay.
    const { formatOutline } = await import('./list-outline.js');
    process.stdout.write(formatOutline(runbook, plan));
  }
  // The errors the reader found, in lint's words and lint's format; the warnings are lint's to show.
  const errors = runbook.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  for (const error of errors) process.stderr.write(`${shortMessage(diagnosticMessage(file, error))}\n`);
  if (errors.length > 0) {
    process.stderr.write(`${shortMessage({ reason: `${file} has ${countOf(errors.length, 'error')}; \`runbook lint ${file}\` checks it in full, warnings included`, severity: 'error' })}\n`);
  }
  return EXIT.ok;
}

/**
 * The plan of a run of every cell: whether each would run here (its interpreter on this
 * PATH), and its write guard against the target the environment names. A target that
 * cannot be resolved leaves the guard at "target unknown" rather than failing the list.
 * Completed by the same prepare step as a run's, without a database (no catalogue) and,
 * unless `checkCommands`, without a pwsh session (see NEEDS_UNREAD).
 */
export async function listPlan(runbook: Runbook, env: NodeJS.ProcessEnv, checkCommands = false): Promise<RunPlan> {
  const planned = await planRun({
    runbook,
    env,
    target: (needsDatabase) => {
      try {
        return chooseTarget({ env, runbook, needsDatabase }).kind;
      } catch (error) {
        if (error instanceof InputError) return undefined;
        throw error;
      }
    },
  });
  if (!checkCommands) return preparePlan(planned, { runbook, env, unread: NEEDS_UNREAD });
  // Loaded only here: the executors' module graph (binding, the shell executor) is start-up a plain list need not pay.
  const { ExecutorPool } = await import('../engine/runner/executors.js');
  const sessions = new ExecutorPool({ kind: 'none', url: '', maskedUrl: '', name: 'none' });
  try {
    return await preparePlan(planned, { runbook, env, parserFor: (plan) => sessions.parserFor(plan) });
  } finally {
    await sessions.closeAll();
  }
}

/** DESIGN.md's shape, extended with each cell's plan, placeholders, sections and the checklist. */
export function listJson(runbook: Runbook, plan: RunPlan) {
  const plans = new Map(plan.cells.map((c) => [c.id, c]));
  return {
    runbook: {
      path: runbook.path,
      title: runbook.title,
      sha256: runbook.sha256,
      ...(runbook.database === undefined ? {} : { database: runbook.database }),
    },
    cells: runbook.cells.map((cell) => cellJson(cell, plans.get(cell.id) as CellPlan)),
    sections: runbook.sections,
    // The sections with prose and no cell (Symptoms), each with the cell it comes before.
    prose: proseSections(runbook),
    // A secret's default is in the runbook, but list output lands in CI logs and tickets: never its value.
    variables: runbook.variables.map((spec) => (isSecretVariable(spec) ? maskedSpec(spec) : spec)),
    checklist: runbook.checklist,
    ...(runbook.escalation === undefined ? {} : { escalation: runbook.escalation }),
    diagnostics: runbook.diagnostics,
  };
}

function maskedSpec(spec: VariableSpec): VariableSpec {
  return {
    ...spec,
    ...(spec.default === undefined ? {} : { default: MASK }),
    ...(spec.suggested === undefined ? {} : { suggested: MASK }),
    ...(spec.hint === undefined ? {} : { hint: MASK }),
  };
}

/** The plan as printed: a prompted export of a secret-named variable shows no written value. */
function shownPlan(plan: CellPlan): CellPlan {
  if (!plan.prompts?.some((p) => isSecretName(p.name))) return plan;
  return { ...plan, prompts: plan.prompts.map((p) => (isSecretName(p.name) && p.written ? { ...p, written: MASK } : p)) };
}

function cellJson(cell: Cell, plan: CellPlan) {
  return {
    id: cell.id,
    lang: cell.lang,
    line: cell.line,
    section: cell.section,
    source: cell.source,
    attributes: cell.attributes,
    tag: cell.tag,
    column: cell.column,
    effect: plan.effect,
    plan: shownPlan(plan),
    placeholders: cell.placeholders,
    envRefs: cell.envRefs,
    ...(cell.timeoutMs === undefined ? {} : { timeoutMs: cell.timeoutMs }),
    ...(cell.runmeName === undefined ? {} : { runmeName: cell.runmeName }),
    ...(cell.session === undefined ? {} : { session: cell.session }),
  };
}
