/**
 * One execution of one cell: bind its values, announce it, run it through its
 * executor with a cancel signal, pass its output through the per-cell cap.
 */
import type { CellStatus } from '../events.js';
import type { ExecutionResult } from '../lang/executor.js';
import { prepareCell, type PreparedCell } from './executors.js';
import { cellContext, outputCap, startedEvent, type CellRun } from './cell-context.js';

export type { CellRun };
import { identifyGroup, type GroupIdentity } from '../process/group-identity.js';
import { watchEnv } from './env-watch.js';


export interface CellOutcome {
  status: CellStatus;
  durationMs: number;
  result: Partial<ExecutionResult>;
}

export async function executeCell(run: CellRun): Promise<CellOutcome> {
  const { cell, source, options, emitter } = run;
  /** When cell.started was stamped: the attempt's duration runs from there, so the table and the chart tell one figure. */
  let startedAt: number | undefined;
  /** Whether the executor's own synced record comes before anything of a write reaches the target (Executor.recordsWritesFirst). */
  let recordsFirst = false;
  const announce = (shown: string, names: string[] = [], group?: GroupIdentity) => {
    const syncAs = run.effect === 'write' && recordsFirst ? 'write, recorded first' : run.effect;
    startedAt = Date.parse(emitter.emit(startedEvent(run, shown, names, group), syncAs).ts);
  };
  let prepared: PreparedCell;
  try {
    const parser = await run.executors.parserFor(run.plan);
    prepared = await prepareCell(cell, source, run.values, run.executors.targetEnv, options.env, parser, run.plan.prompts?.map((p) => p.name));
  } catch (error) {
    // A value that cannot be bound where it stands: the cell fails, nothing runs.
    announce(source);
    return { status: 'failed', durationMs: 0, result: { error: { message: (error as Error).message } } };
  }
  const controller = new AbortController();
  run.setCurrent(controller);
  let announced = false;
  // On record before the cell runs a line: a gated executor's cell once its process group
  // is known and registered (so the record names it), any other's before it starts.
  const start = (pgid?: number) => {
    if (announced) return;
    announced = true;
    announce(prepared.source, prepared.bound, pgid === undefined ? undefined : identifyGroup(pgid));
  };
  const cap = outputCap(run);
  const started = Date.now();
  let result: ExecutionResult;
  try {
    const executor = await run.executors.get(run.plan);
    recordsFirst = executor.recordsWritesFirst === true;
    // Runme's interactive: a shell cell gets the console's terminal (unattended there is none: stdin stays /dev/null).
    const terminal = run.plan.runs === 'terminal' ? options.operator.terminal : undefined;
    if (!executor.gated || terminal) start();
    // Aborted while it was announced (a transcript that could not take cell.started, a signal): nothing runs.
    // A gated executor checks the same after onGroup, and keeps its gate shut.
    result = controller.signal.aborted
      ? { status: 'cancelled' }
      : await executor.run({
          ...cellContext(run, prepared, controller.signal),
          ...(terminal ? { terminal } : {}),
          ...(options.operator.askPrompt ? { ask: (question) => options.operator.askPrompt!(cell.id, question) } : {}),
          onGroup: (pgid) => start(pgid),
          emit: (event) => {
            start();
            if (event.type === 'cell.output') for (const body of cap.take(event.stream, event.data)) emitter.emit(body);
            else emitter.emit(event);
          },
        });
  } catch (error) {
    result = { status: controller.signal.aborted ? 'cancelled' : 'failed', error: { message: (error as Error).message ?? String(error) } };
  } finally {
    // A cell that never got as far as its group (an interpreter not found) is on record all the same.
    start();
    run.setCurrent(undefined);
  }
  for (const body of cap.flush()) emitter.emit(body);
  if (result.envChanges) watchEnv(run, result.envChanges);
  const status = controller.signal.aborted ? 'cancelled' : result.status;
  return { status, durationMs: Date.now() - (startedAt ?? started), result };
}
