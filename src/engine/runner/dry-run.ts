/**
 * A dry run shows each cell as it would run, placeholders bound and secrets masked (the
 * emitter masks), and runs nothing: its `cell.started` carries the bound source.
 */
import { prepareCell, type ExecutorPool } from './executors.js';
import type { EventBody } from '../events.js';
import type { CellPlan } from '../plan/types.js';
import type { Cell } from '../runbook.js';
import type { Target } from '../target.js';

export async function dryRunStarted(cell: Cell, plan: CellPlan, executors: ExecutorPool, values: Readonly<Record<string, string>>, target: Target, env?: NodeJS.ProcessEnv): Promise<EventBody> {
  let source = cell.source;
  try {
    // A PowerShell cell with values is bound by PowerShell's parser (a pwsh session, which runs nothing).
    const parser = await executors.parserFor(plan);
    source = (await prepareCell(cell, cell.source, values, undefined, env, parser, plan.prompts?.map((p) => p.name))).source;
  } catch {
    // Shown as written; the real run would fail this cell with the binding's message.
  }
  return { type: 'cell.started', cell: cell.id, lang: cell.lang, line: cell.line, section: cell.section, source, attempt: 1 };
}
