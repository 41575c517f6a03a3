/**
 * Runme's `background` cells: started, not waited for; the run goes on to the next cell.
 * Their output is recorded (capped, masked, spilled like any cell's) until they exit or the
 * run ends; at the end of the run, however it ends (last cell, a failure, quit, Ctrl-C,
 * SIGHUP), each one still running has its process tree stopped (SIGTERM, SIGKILL after the
 * grace period) and that is recorded: `cell.finished` status `cancelled`, reason
 * "background: stopped at the end of the run". One that exits by itself first is recorded
 * when it does, with its own status and exit code. Their groups die with the CLI too
 * (kill -9 included): the process-group supervisor registers them with the reaper.
 */
import type { CellStatus, EventBody } from '../events.js';
import type { ExecutionResult } from '../lang/executor.js';
import type { CellRun } from './cell-context.js';
import { cellContext, outputCap, startedEvent } from './cell-context.js';
import { prepareCell } from './executors.js';

export const STOPPED_AT_END = 'background: stopped at the end of the run';

interface Running {
  cell: string;
  controller: AbortController;
  /** Resolves once its cell.finished is written. */
  finished: Promise<void>;
  stoppedByRun: boolean;
}

export class BackgroundCells {
  private readonly running = new Set<Running>();
  /** Cells the run stopped at its end: they ran, and are not "not run" in the outcome. */
  readonly stoppedAtEnd = new Set<string>();

  constructor(private readonly finish: (cell: string, status: CellStatus, durationMs: number, result: Partial<ExecutionResult>, reason?: string) => void) {}

  /**
   * Binds, announces (`cell.started` with `background: true`) and starts the cell. Resolves
   * once it is started, or to its status when it could not be (a value that cannot be
   * bound, an executor without background support, a start that failed).
   */
  async start(run: CellRun): Promise<CellStatus | undefined> {
    const { cell, options, emitter } = run;
    const announce = (shown: string, names: string[] = []) => emitter.emit(startedEvent(run, shown, names, { background: true }));
    let prepared;
    try {
      prepared = await prepareCell(cell, run.source, run.values, run.executors.targetEnv, options.env, undefined, run.plan.prompts?.map((p) => p.name));
    } catch (error) {
      announce(run.source);
      return this.ended(cell.id, 'failed', 0, { error: { message: (error as Error).message } });
    }
    announce(prepared.source, prepared.bound);
    const executor = await run.executors.get(run.plan).catch((error: Error) => error);
    if (executor instanceof Error || !executor.start) {
      const message = executor instanceof Error ? executor.message : `a ${cell.lang} cell cannot run in the background here; only shell cells can`;
      return this.ended(cell.id, 'failed', 0, { error: { message } });
    }
    await executor.readyToStart?.();
    const cap = outputCap(run);
    const controller = new AbortController();
    const started = Date.now();
    let background;
    try {
      background = executor.start({
        ...cellContext(run, prepared, controller.signal),
        emit: (event) => {
          if (event.type === 'cell.output') for (const body of cap.take(event.stream, event.data)) emitter.emit(body as EventBody);
          else emitter.emit(event);
        },
      });
    } catch (error) {
      // Its files could not be written (a full disk): the cell failed to start, the run goes on.
      return this.ended(cell.id, 'failed', 0, { error: { message: (error as Error).message } });
    }
    const entry: Running = { cell: cell.id, controller, stoppedByRun: false, finished: Promise.resolve() };
    entry.finished = background.done
      .catch((error: Error): ExecutionResult => ({ status: 'failed', error: { message: error.message } }))
      .then((result) => {
        for (const body of cap.flush()) emitter.emit(body);
        this.running.delete(entry);
        const durationMs = Date.now() - started;
        if (entry.stoppedByRun) {
          this.stoppedAtEnd.add(cell.id);
          this.finish(cell.id, 'cancelled', durationMs, { ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}) }, STOPPED_AT_END);
        } else this.finish(cell.id, result.status, durationMs, result);
      });
    this.running.add(entry);
    return undefined;
  }

  /** Stops every background cell still running and waits until each one's end is recorded. */
  async stopAll(): Promise<void> {
    const all = [...this.running];
    for (const entry of all) {
      entry.stoppedByRun = true;
      entry.controller.abort();
    }
    await Promise.all(all.map((entry) => entry.finished));
  }

  private ended(cell: string, status: CellStatus, durationMs: number, result: Partial<ExecutionResult>): CellStatus {
    this.finish(cell, status, durationMs, result);
    return status;
  }
}
