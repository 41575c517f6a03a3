/**
 * Which cells a run walks (`--from`, `--only`, resume), what each one does to the
 * database (read or write), and which interpreter it needs.
 */
import { InputError } from '../errors.js';
import { cellEffect, type Catalogue } from '../sql/effects.js';
import { onPath, powershellInterpreter } from '../executors/which.js';
import type { Cell, Runbook } from '../runbook.js';

export type Effect = 'read' | 'write';

export interface Selection {
  from?: string;
  only?: string[];
  /** True when an operator walks the cells (the console): every cell is offered. */
  interactive?: boolean;
}

/**
 * Cells in document order that `--from` / `--only` select. Unknown ids are a usage error.
 * A whole unattended run (no `--from`, no `--only`) leaves out Runme's `excludeFromRunAll`
 * cells, as `runme run --all` does; naming one, starting before it, or the console runs it.
 */
export function selectCells(runbook: Runbook, given: Selection): Cell[] {
  const ids = new Set(runbook.cells.map((c) => c.id));
  const known = () => [...ids].join(', ') || '(none)';
  const selection = { ...given, only: given.only?.map((id) => idOf(runbook, id)), from: given.from === undefined ? undefined : idOf(runbook, given.from) };
  for (const id of [...(selection.only ?? []), ...(selection.from ? [selection.from] : [])]) {
    if (!ids.has(id)) throw new InputError(`${runbook.path}: no cell named "${id}"; cells are: ${known()}`);
  }
  let cells = runbook.cells;
  if (selection.from) cells = cells.slice(cells.findIndex((c) => c.id === selection.from));
  if (selection.only?.length) {
    const only = new Set(selection.only);
    cells = cells.filter((c) => only.has(c.id));
  }
  const wholeRun = !selection.from && !selection.only?.length && selection.interactive !== true;
  if (wholeRun) cells = cells.filter((c) => c.attributes.excludeFromRunAll !== true);
  return cells;
}

/** An id as given: the cell's own id, else the name Runme gives an unnamed cell (`echo-hello`). */
function idOf(runbook: Runbook, given: string): string {
  if (runbook.cells.some((c) => c.id === given)) return given;
  return runbook.cells.find((c) => c.runmeName === given)?.id ?? given;
}

/** A cell's effect for this source: `readonly` wins; SQL is read from the parse tree; shells write. */
export async function effectOf(cell: Cell, source = cell.source, catalogue?: Catalogue): Promise<Effect> {
  if (cell.attributes.readonly === true) return 'read';
  if (cell.lang !== 'sql') return 'write';
  try {
    return await cellEffect(source === cell.source ? cell : { ...cell, source }, catalogue);
  } catch {
    // Unparseable SQL is treated as a write: the guard errs on the safe side, the server reports the error.
    return 'write';
  }
}

/** The program a shell cell runs in, as the executor will look for it. */
export function interpreterOf(cell: Cell, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (cell.lang === 'sql') return undefined;
  const named = typeof cell.attributes.interpreter === 'string' ? cell.attributes.interpreter : undefined;
  if (named) return named;
  return cell.lang === 'powershell' ? powershellInterpreter(env) : 'bash';
}

/** The interpreter a cell needs that cannot be found, if any. `bash` falls back to `sh`. */
export function missingInterpreter(cell: Cell, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const program = interpreterOf(cell, env);
  if (!program || onPath(program, env.PATH)) return undefined;
  if (program === 'bash' && onPath('sh', env.PATH)) return undefined;
  return program;
}
