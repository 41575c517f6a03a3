/**
 * How a run is stopped from outside while it waits or runs a cell: the operator cancels
 * the running cell only (and decides what next), or a signal / closed stdout aborts the
 * run (the cell is cancelled and nobody is asked anything more).
 */
import { ABORTED } from './ask-values.js';

export class Interrupts {
  private current?: AbortController;
  /** The cell whose execution `current` controls, so a cancel is recorded against it. */
  private currentCell?: string;
  private abortedFlag = false;
  /** Why the run was aborted from outside (a signal, stdout closed), for `run.finished`. */
  private reasonText?: string;
  private abortRun!: () => void;
  private readonly abortedPromise = new Promise<typeof ABORTED>((resolve) => {
    this.abortRun = () => resolve(ABORTED);
  });

  get aborted(): boolean {
    return this.abortedFlag;
  }

  get reason(): string | undefined {
    return this.reasonText;
  }

  /** The execution now running (or none), so a cancel or an abort reaches it. */
  running(cell: string, controller: AbortController | undefined): void {
    this.current = controller;
    this.currentCell = controller ? cell : undefined;
  }

  /** Cancels the running cell, if any; `record` runs first, so the decision precedes the cell's end. */
  cancel(record: (cell: string) => void): void {
    if (!this.current || this.current.signal.aborted) return;
    if (this.currentCell) record(this.currentCell);
    this.current.abort();
  }

  abort(reason?: string): void {
    if (!this.abortedFlag && reason) this.reasonText = reason;
    this.abortedFlag = true;
    this.current?.abort();
    this.abortRun();
  }

  /** Waits for the operator, unless the run is aborted first. */
  ask<T>(pending: Promise<T>): Promise<T | typeof ABORTED> {
    return this.abortedFlag ? Promise.resolve(ABORTED) : Promise.race([pending, this.abortedPromise]);
  }
}
