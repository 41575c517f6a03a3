/**
 * Checks made before the first cell runs, so a run never stops halfway for a reason
 * known at the start: a placeholder without a value, a missing interpreter, a database
 * that does not answer (said, and fatal only with --strict), an unattended write nobody allowed. Every fact about a cell is
 * read from the run plan; preflight only decides which of them stop the run.
 */
import { InputError } from './errors.js';
import type { PreflightEvent, RunMode } from './events.js';
import { installHint } from './install-hints.js';
import { bindCellPlaceholders, type PowerShellParser } from './placeholders.js';
import { programName } from './plan/interpreter.js';
import { languageOf } from './lang/language.js';
import type { CellPlan, RunPlan } from './plan/types.js';
import type { Runbook } from './runbook.js';
import type { Target } from './target.js';
import { connectFailure, connectSqlState, withClient } from './lang/sql/connect.js';
import type { Probe } from './lang/sql/probe.js';

export type Problem = PreflightEvent['problems'][number];

export interface PreflightInput {
  plan: RunPlan;
  /** The cells' sources, for the binding check. */
  runbook: Runbook;
  /** Values bound so far: every cell that will run must bind with them before anything runs. */
  values?: Readonly<Record<string, string>>;
  /** PowerShell's parser for a cell (the run's pwsh session), where pwsh is installed. */
  parserFor?: (cell: CellPlan) => Promise<PowerShellParser | undefined>;
  mode: RunMode;
  target: Target;
  /** Placeholders still without a value after flags, environment, defaults and the operator. */
  missing: readonly string[];
  strict: boolean;
  /** The run's one connection attempt, made before preflight (sql/probe.ts); preflight connects itself without it. */
  probe?: Probe;
  /** Skips the connection check (tests of the other checks, dry runs). */
  checkDatabase?: boolean;
}

export async function preflight(input: PreflightInput): Promise<Problem[]> {
  const problems: Problem[] = [];
  const running = input.plan.cells.filter((c) => c.willRun);
  const ids = (cells: CellPlan[]) => cells.map((c) => c.id);

  for (const name of input.missing) {
    const prompting = running.filter((c) => c.prompts?.some((p) => p.name === name));
    const cells = ids(running.filter((c) => c.placeholders.includes(name) || prompting.includes(c)));
    // A prompted `export NAME=…` (promptEnv) is named as the line it is, with the way to run it as written.
    const message = prompting.length && !running.some((c) => c.placeholders.includes(name))
      ? `no value for ${name} (export ${name}=… in ${ids(prompting).join(', ')} asks for it: promptEnv); pass --var ${name}=VALUE, set ${name} in the environment, or mark the cell promptEnv=no to run the line as written`
      : `no value for <${name}> (used by ${cells.join(', ')}); pass --var ${name}=VALUE or set ${name} in the environment`;
    problems.push({ kind: 'missing-variable', message, cells, fatal: input.mode !== 'dry-run' });
  }

  for (const plan of running.filter((c) => c.refused)) {
    problems.push({ kind: 'readonly-breach', message: `cell ${plan.id} is marked readonly, but ${plan.refused}`, cells: [plan.id], fatal: input.mode !== 'dry-run' });
  }

  const sources = new Map(input.runbook.cells.map((c) => [c.id, c]));
  for (const plan of running) {
    const cell = sources.get(plan.id);
    const inSession = languageOf(plan).parsedInSession;
    const parser = inSession ? await input.parserFor?.(plan) : undefined;
    // A PowerShell cell is bound by PowerShell's own parser; without one its binding is the run's to find.
    if (inSession && !parser) continue;
    const refusal = cell ? await bindingRefusal(cell, input.values ?? {}, parser) : undefined;
    if (refusal && cell) problems.push({ kind: 'unbindable', message: `cell ${cell.id} (line ${cell.line}): ${refusal}`, cells: [cell.id], fatal: input.mode !== 'dry-run' });
  }

  // One problem per missing program, naming every cell it keeps from running, with where to get it once.
  const byReason = new Map<string, { program: string; cells: string[] }>();
  for (const cell of input.plan.cells) {
    const missing = cell.whyNot?.reason === 'missing-interpreter' ? cell.interpreter?.missing : undefined;
    if (!missing || !cell.interpreter) continue;
    const entry = byReason.get(missing) ?? { program: programName(cell.interpreter), cells: [] };
    entry.cells.push(cell.id);
    byReason.set(missing, entry);
  }
  for (const [reason, { program, cells }] of byReason) {
    const fatal = input.strict && input.mode !== 'dry-run';
    const hint = installHint(program);
    problems.push({
      kind: 'missing-interpreter',
      message: `${reason}; ${fatal ? 'cannot run' : 'skipping'} ${cells.join(', ')}${fatal ? '; install it or drop --strict to skip those cells' : ''}${hint ? `; ${hint}` : ''}`,
      cells,
      fatal,
    });
  }

  const byCommand = new Map<string, string[]>();
  const near = new Map<string, string>();
  // The commands each cell calls, found or not, as the prepare step read them (plan.cells[].needs).
  for (const { id: cell, needs } of input.plan.cells) {
    for (const need of needs ?? []) {
      if (need.found) continue;
      byCommand.set(need.name, [...(byCommand.get(need.name) ?? []), cell]);
      if (need.near) near.set(need.name, need.near);
    }
  }
  for (const [command, cells] of byCommand) {
    const fatal = input.strict && input.mode !== 'dry-run';
    const twin = near.get(command);
    const what = command.includes(' -m ')
      ? `python module ${command.split(' -m ')[1]} is not found (for ${command})`
      : `${command} is not on PATH${twin ? ` (${twin} found: the cell calls ${command})` : ''}`;
    const then = fatal ? `cannot run ${cells.join(', ')}; install it or drop --strict` : input.mode === 'unattended' ? `skipping ${cells.join(', ')}` : `needed by ${cells.join(', ')}; you decide there: run anyway, edit or skip`;
    problems.push({ kind: 'missing-command', message: `${what}; ${then}`, cells, fatal });
  }

  const refused = running.filter((c) => c.confirm.unattended === 'refused');
  if (refused.length) {
    problems.push({
      kind: 'write-refused',
      message: `${refused.length} write cell(s) against ${input.target.name} refused without --allow-writes: ${ids(refused).join(', ')}`,
      cells: ids(refused),
      fatal: true,
    });
  }

  const sqlCells = running.filter((c) => languageOf(c).runsIn === 'database');
  if (input.target.kind === 'sandbox' && input.target.seedFileMissing && sqlCells.length) {
    problems.push({
      kind: 'sandbox-unseeded',
      message: `the sandbox database is empty: no seed file ${input.target.seedFileMissing} beside the runbook (write one to give the SQL cells tables to read)`,
      cells: ids(sqlCells),
      fatal: false,
    });
  }
  if (input.checkDatabase !== false && input.mode !== 'dry-run' && sqlCells.length && input.target.url) {
    const probe = input.probe ?? (await databaseProbe(input.target.url));
    if (probe.failure) problems.push(unreachable(input.target.maskedUrl, probe, ids(sqlCells), input.strict));
  }
  return problems;
}

/** Why a cell's values cannot be bound where they stand (an arithmetic context, a dollar-quoted body…), if so. */
async function bindingRefusal(cell: Runbook['cells'][number], values: Readonly<Record<string, string>>, parser: PowerShellParser | undefined): Promise<string | undefined> {
  const names = cell.placeholders.filter((name) => values[name] !== undefined);
  if (names.length === 0) return undefined;
  try {
    await bindCellPlaceholders(cell.lang, cell.source, names, { ...values }, parser);
    return undefined;
  } catch (error) {
    if (error instanceof InputError) return error.message;
    // The pwsh session could not parse (it died): the cell meets the same cause when it runs.
    if (languageOf(cell).parsedInSession) return undefined;
    throw error;
  }
}

/**
 * The database not answering is the incident the runbook was written for, not bad input:
 * only the SQL cells need it, each connects when it runs (and fails with the reason and its
 * SQLSTATE until it answers), everything else runs. `--strict` refuses the run instead.
 */
function unreachable(maskedUrl: string, probe: Probe, cells: string[], strict: boolean): Problem {
  const reason = `cannot connect to ${maskedUrl}: ${probe.failure}`;
  const message = strict
    ? `${reason}; check --db, RUNBOOK_DATABASE_URL or the runbook's database:, or drop --strict to run the cells that need no database`
    : `${reason.replace(/ \([0-9A-Z]{5}\)$/, '')} (SQLSTATE ${probe.code ?? '08001'}); the SQL cells (${cells.join(', ')}) connect when they run and fail until it answers, the other cells run; its catalogue was not read, so functions outside PostgreSQL's built-ins count as writes`;
  return { kind: 'database-unreachable', message, cells, fatal: strict };
}

/** The database's answer to `SELECT 1`: nothing when it answers, else a short reason and its SQLSTATE. */
async function databaseProbe(url: string): Promise<Probe> {
  try {
    await withClient(url, 'runbook preflight', (client) => client.query('SELECT 1'));
    return {};
  } catch (error) {
    return { failure: connectFailure(error), code: connectSqlState(error) };
  }
}
