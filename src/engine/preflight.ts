/**
 * Checks made before the first cell runs, so a run never stops halfway for a reason
 * known at the start: a placeholder without a value, a missing interpreter, a database
 * that does not answer, an unattended write nobody allowed.
 */
import type { PreflightEvent, RunMode } from './events.js';
import type { Cell } from './runbook.js';
import type { Target } from './target.js';
import { installHint } from './install-hints.js';
import { missingInterpreter, type Effect } from './runner/plan.js';
import { bindCellPlaceholders, type PowerShellParser } from './placeholders.js';
import { InputError } from './errors.js';
import type { NeededCommand } from './commands-needed.js';

export type Problem = PreflightEvent['problems'][number];

export interface PreflightInput {
  /** The cells the run will walk. */
  cells: readonly Cell[];
  mode: RunMode;
  target: Target;
  effects: ReadonlyMap<string, Effect>;
  /** Placeholders still without a value after flags, environment, defaults and the operator. */
  missing: readonly string[];
  allowWrites: boolean;
  strict: boolean;
  env?: NodeJS.ProcessEnv;
  /** Values bound so far: every cell must bind with them before anything runs. */
  values?: Readonly<Record<string, string>>;
  /** PowerShell's parser for a cell (the run's pwsh session), where pwsh is installed. */
  parserFor?: (cell: Cell) => Promise<PowerShellParser | undefined>;
  /** The external commands each cell calls, found or not (commands-needed.ts). */
  needed?: ReadonlyMap<string, readonly NeededCommand[]>;
  /** Skips the connection check (tests of the other checks, dry runs). */
  checkDatabase?: boolean;
}

function hintFor(program: string): string {
  const hint = installHint(program);
  return hint ? `; ${hint}` : '';
}

export async function preflight(input: PreflightInput): Promise<Problem[]> {
  const problems: Problem[] = [];
  const runnable = input.cells.filter((c) => c.attributes.skip !== true);

  for (const name of input.missing) {
    const cells = runnable.filter((c) => c.placeholders.includes(name)).map((c) => c.id);
    problems.push({
      kind: 'missing-variable',
      message: `no value for <${name}> (used by ${cells.join(', ')}); pass --var ${name}=VALUE or set ${name} in the environment`,
      cells,
      fatal: input.mode !== 'dry-run',
    });
  }

  for (const cell of runnable) {
    const parser = cell.lang === 'powershell' && !missingInterpreter(cell, input.env) ? await input.parserFor?.(cell) : undefined;
    // Without pwsh a PowerShell cell is skipped (below), so its binding is not checked.
    if (cell.lang === 'powershell' && !parser) continue;
    const refusal = await bindingRefusal(cell, input.values ?? {}, parser);
    if (refusal) problems.push({ kind: 'unbindable', message: `cell ${cell.id} (line ${cell.line}): ${refusal}`, cells: [cell.id], fatal: input.mode !== 'dry-run' });
  }

  const byProgram = new Map<string, string[]>();
  for (const cell of runnable) {
    const program = missingInterpreter(cell, input.env);
    if (program) byProgram.set(program, [...(byProgram.get(program) ?? []), cell.id]);
  }
  for (const [program, cells] of byProgram) {
    const fatal = input.strict && input.mode !== 'dry-run';
    problems.push({
      kind: 'missing-interpreter',
      message: `${program} is not on PATH; ${fatal ? 'cannot run' : 'skipping'} ${cells.join(', ')}${fatal ? '; install it or drop --strict to skip those cells' : ''}${hintFor(program)}`,
      cells,
      fatal,
    });
  }

  const byCommand = new Map<string, string[]>();
  for (const [cell, needs] of input.needed ?? []) {
    for (const need of needs) if (!need.found) byCommand.set(need.name, [...(byCommand.get(need.name) ?? []), cell]);
  }
  for (const [command, cells] of byCommand) {
    const fatal = input.strict && input.mode !== 'dry-run';
    const what = command.includes(' -m ') ? `python module ${command.split(' -m ')[1]} is not found (for ${command})` : `${command} is not on PATH`;
    const then = fatal ? `cannot run ${cells.join(', ')}; install it or drop --strict` : input.mode === 'unattended' ? `skipping ${cells.join(', ')}` : `needed by ${cells.join(', ')}; you decide there: run anyway, edit or skip`;
    problems.push({ kind: 'missing-command', message: `${what}; ${then}`, cells, fatal });
  }

  if (input.mode === 'unattended' && !input.allowWrites) {
    const guarded = runnable.filter((c) => needsConfirmation(c, input.effects.get(c.id) ?? 'write', input.target));
    if (guarded.length) {
      problems.push({
        kind: 'write-refused',
        message: `${guarded.length} write cell(s) against ${input.target.name} refused without --allow-writes: ${guarded.map((c) => c.id).join(', ')}`,
        cells: guarded.map((c) => c.id),
        fatal: true,
      });
    }
  }

  const sqlCells = runnable.filter((c) => c.lang === 'sql');
  if (input.target.kind === 'sandbox' && input.target.seedFileMissing && sqlCells.length) {
    problems.push({
      kind: 'sandbox-unseeded',
      message: `the sandbox database is empty: no seed file ${input.target.seedFileMissing} beside the runbook (write one to give the SQL cells tables to read)`,
      cells: sqlCells.map((c) => c.id),
      fatal: false,
    });
  }
  if (input.checkDatabase !== false && input.mode !== 'dry-run' && sqlCells.length && input.target.url) {
    const failure = await databaseFailure(input.target.url);
    if (failure) {
      problems.push({
        kind: 'database-unreachable',
        message: `cannot connect to ${input.target.maskedUrl}: ${failure}; check --db, RUNBOOK_DATABASE_URL or the runbook's database:`,
        cells: sqlCells.map((c) => c.id),
        fatal: true,
      });
    }
  }
  return problems;
}

/** Why a cell's values cannot be bound where they stand (an arithmetic context, a dollar-quoted body…), if so. */
async function bindingRefusal(cell: Cell, values: Readonly<Record<string, string>>, parser: PowerShellParser | undefined): Promise<string | undefined> {
  const names = cell.placeholders.filter((name) => values[name] !== undefined);
  if (names.length === 0) return undefined;
  try {
    await bindCellPlaceholders(cell.lang, cell.source, names, { ...values }, parser);
    return undefined;
  } catch (error) {
    if (error instanceof InputError) return error.message;
    // The pwsh session could not parse (it died): the cell meets the same cause when it runs.
    if (cell.lang === 'powershell') return undefined;
    throw error;
  }
}

/** The write guard: a `confirm` cell always asks; a write asks against a real database. */
export function needsConfirmation(cell: Cell, effect: Effect, target: Target): boolean {
  if (cell.attributes.confirm === true) return true;
  return effect === 'write' && target.kind === 'postgres';
}

/** Null when the database answers `SELECT 1`, else a short reason. */
async function databaseFailure(url: string): Promise<string | null> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: 'runbook preflight' });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return describe(error);
  } finally {
    await client.end().catch(() => {});
  }
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e.code === 'ECONNREFUSED') return 'connection refused (is the server running on that host and port?)';
  if (e.code === 'ENOTFOUND') return 'host not found';
  if (e.code === '28P01') return 'password authentication failed';
  if (e.code === '3D000') return e.message ?? 'database does not exist';
  const message = (e.message ?? String(error)).split('\n')[0] ?? '';
  return e.code ? `${message} (${e.code})` : message;
}
