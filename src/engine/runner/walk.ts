/**
 * The order a run visits its cells: the planned ones, top to bottom, except where the
 * operator jumps. A cell jumped to is visited even when the plan leaves it out (it runs
 * unless it cannot), and the walk carries on from there, passing cells already settled
 * (succeeded, skipped): after a jump back or a re-check the walk returns to where the
 * operator was, and never offers a finished write to run again on the way.
 */
import type { Cell } from '../runbook.js';

/** What the walk does after a cell; `stop` says why the cells after it were not reached. */
export type Step = { next: true } | { jump: string } | { stop: string };

export interface Walk {
  cells: readonly Cell[];
  planned: ReadonlySet<string>;
  /** A cell the operator went back to after the last one; else the first planned cell. */
  start?: string;
  visit: (cell: Cell) => Promise<Step>;
  /** A cell with a settled result: visited only when it is the cell gone or jumped to. */
  settled?: (cell: string) => boolean;
  /** Checked before each cell: an interrupt or a quit ends the walk. */
  done: () => boolean;
  /** A jump forward left these planned, unsettled cells behind (the one it left from too), in order. */
  jumpedOver?: (cells: string[]) => void;
}

/** Walks the cells; resolves to why it stopped early, or undefined when it reached the end. */
export async function walkCells({ cells, planned, start, visit, settled, done, jumpedOver }: Walk): Promise<string | undefined> {
  const first = cells.findIndex((c) => planned.has(c.id));
  let index = start ? cells.findIndex((c) => c.id === start) : first >= 0 ? first : cells.length;
  let forced: string | undefined = start;
  while (index < cells.length && !done()) {
    const cell = cells[index] as Cell;
    if (forced !== cell.id && (!planned.has(cell.id) || settled?.(cell.id))) {
      index += 1;
      continue;
    }
    forced = undefined;
    const step = await visit(cell);
    if ('stop' in step) return step.stop;
    if ('jump' in step) {
      const target = cells.findIndex((c) => c.id === step.jump);
      if (target >= 0) {
        const passed = cells.slice(index, target).filter((c) => planned.has(c.id) && !settled?.(c.id));
        if (passed.length) jumpedOver?.(passed.map((c) => c.id));
        index = target;
        forced = step.jump;
        continue;
      }
    }
    index += 1;
  }
  return undefined;
}

export interface WalkRun extends Omit<Walk, 'start'> {
  /**
   * After the last cell: a cell the operator goes back to (to re-run a diagnostic after a
   * fix), recorded by the caller, or undefined to end the run.
   */
  goBack: () => Promise<string | undefined>;
}

/** Walks the run, again from each cell the operator goes back to; resolves to why the last walk stopped early. */
export async function walkRun(run: WalkRun): Promise<string | undefined> {
  let start: string | undefined;
  let stopped: string | undefined;
  for (;;) {
    const why = await walkCells({ ...run, ...(start ? { start } : {}) });
    if (why) stopped = why;
    if (run.done()) return stopped;
    start = await run.goBack();
    if (!start || !run.cells.some((c) => c.id === start)) return stopped;
  }
}
