/**
 * The TUI Operator: a promise bridge between the runner and the keyboard. The runner
 * asks (decide, confirmWrite, askVariable); the question lands in the console state;
 * the promise resolves when the operator presses a key or submits a prompt.
 */
import type { Decision, DecisionContext, Operator } from '../../engine/operator.js';
import type { Cell, VariableSpec } from '../../engine/runbook.js';
import type { RunEvent } from '../../engine/events.js';
import { isSecretName } from '../../engine/redact.js';
import type { ConsoleStore } from './store.js';

type Pending =
  | { kind: 'decide'; cell: string; after: boolean; resolve: (decision: Decision) => void }
  | { kind: 'confirm'; targetName: string; resolve: (confirmed: boolean) => void }
  | { kind: 'variable'; resolve: (value: string | undefined) => void }
  | { kind: 'finish'; resolve: () => void };

/** What a decide is about: before the cell runs, or after it finished. */
export type DecidePhase = 'before' | 'after';

/**
 * After a cell that succeeded or was skipped the console moves on by itself: one key
 * per step. A failed, cancelled or timed-out cell waits (retry, edit, move on, quit).
 * After the last cell, `finish` keeps the postmortem checklist up to be ticked.
 */
export class TuiOperator implements Operator {
  private pending: Pending | undefined;
  private justFinished: string | undefined;
  /** A decision already taken for a cell the runner has not asked about yet (enter on another cell = jump, then run). */
  private intent: { cell: string; decision: Decision } | undefined;
  private quitting = false;

  constructor(
    readonly actor: string,
    private readonly store: ConsoleStore,
  ) {}

  /** Feed every run event here too: it tells a decide after a cell from one before it. */
  observe(event: RunEvent): void {
    if (event.type === 'cell.finished') this.justFinished = event.cell;
    if (event.type === 'cell.started') this.justFinished = undefined;
  }

  decide(context: DecisionContext): Promise<Decision> {
    const id = context.cell.id;
    const after = this.justFinished === id;
    this.justFinished = undefined;
    if (this.quitting) return Promise.resolve({ action: 'quit' });
    if (this.intent?.cell === id && !after) {
      const { decision } = this.intent;
      this.intent = undefined;
      return Promise.resolve(decision);
    }
    this.intent = undefined;
    const movesOn = after && (context.lastStatus === 'succeeded' || context.lastStatus === 'skipped');
    if (movesOn) return Promise.resolve({ action: 'next' });
    return new Promise((resolve) => {
      this.pending = { kind: 'decide', cell: id, after, resolve };
      this.store.dispatch({
        type: 'ui.ask',
        ask: { kind: 'decide', cell: id, attempts: context.attempts, lastStatus: context.lastStatus, effect: context.effect, phase: after ? 'after' : 'before' },
        source: context.source,
      });
    });
  }

  confirmWrite(cell: Cell, targetName: string): Promise<boolean> {
    if (this.quitting) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.pending = { kind: 'confirm', targetName, resolve };
      this.store.dispatch({ type: 'ui.ask', ask: { kind: 'confirm', cell: cell.id, targetName } });
      this.store.dispatch({
        type: 'ui.prompt.open',
        prompt: { kind: 'confirm', label: `Type ${targetName} to confirm the write (esc refuses):`, masked: false },
      });
    });
  }

  askVariable(spec: VariableSpec): Promise<string | undefined> {
    if (this.quitting) return Promise.resolve(undefined);
    const masked = Boolean(spec.secret) || isSecretName(spec.name);
    return new Promise((resolve) => {
      this.pending = { kind: 'variable', resolve };
      this.store.dispatch({ type: 'ui.ask', ask: { kind: 'variable', name: spec.name, secret: masked, description: spec.description } });
      const hint = spec.description ? ` (${spec.description})` : '';
      this.store.dispatch({ type: 'ui.prompt.open', prompt: { kind: 'variable', label: `Value for <${spec.name}>${hint}:`, masked } });
    });
  }

  /** After the last cell: the checklist stays up until the operator ends the run with enter. */
  finish(): Promise<void> {
    if (this.quitting || this.store.getState().checklist.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.pending = { kind: 'finish', resolve };
      this.store.dispatch({ type: 'ui.checklist.finishing' });
    });
  }

  /** Enter in the checklist phase: the run may finish. */
  endRun(): boolean {
    if (this.pending?.kind !== 'finish') return false;
    return this.settle(this.pending.resolve, undefined);
  }

  /** Which cell and phase the runner waits on, if it waits for a decision. */
  get waitingDecision(): { cell: string; phase: DecidePhase } | undefined {
    return this.pending?.kind === 'decide' ? { cell: this.pending.cell, phase: this.pending.after ? 'after' : 'before' } : undefined;
  }

  answer(decision: Decision): boolean {
    if (this.pending?.kind !== 'decide') return false;
    return this.settle(this.pending.resolve, decision);
  }

  /** Answers now with a jump, and remembers what to do when the runner arrives at the cell. */
  jumpThen(to: string, then: Decision | undefined): boolean {
    if (this.pending?.kind !== 'decide') return false;
    this.intent = then ? { cell: to, decision: then } : undefined;
    return this.settle(this.pending.resolve, { action: 'jump', to });
  }

  answerConfirm(typed: string | undefined): boolean {
    if (this.pending?.kind !== 'confirm') return false;
    return this.settle(this.pending.resolve, typed !== undefined && typed.trim() === this.pending.targetName);
  }

  answerVariable(value: string | undefined): boolean {
    if (this.pending?.kind !== 'variable') return false;
    return this.settle(this.pending.resolve, value === '' ? undefined : value);
  }

  /** Quit: the current question resolves as a refusal, every later one as quit. */
  quit(): void {
    this.quitting = true;
    const pending = this.pending;
    if (!pending) return;
    if (pending.kind === 'decide') this.settle(pending.resolve, { action: 'quit' });
    else if (pending.kind === 'confirm') this.settle(pending.resolve, false);
    else if (pending.kind === 'finish') this.settle(pending.resolve, undefined);
    else this.settle(pending.resolve, undefined);
  }

  get isQuitting(): boolean {
    return this.quitting;
  }

  private settle<T>(resolve: (value: T) => void, value: T): true {
    this.pending = undefined;
    this.store.dispatch({ type: 'ui.answered' });
    resolve(value);
    return true;
  }
}
