/**
 * The TUI Operator: a promise bridge between the runner and the keyboard. The runner
 * asks (decide, confirmWrite, askVariable, finish); the question lands in the console
 * state; the promise resolves when the operator presses a key or submits a prompt.
 */
import type { Decision, DecisionContext, Operator } from '../../engine/operator.js';
import type { Cell, Lang, VariableSpec } from '../../engine/runbook.js';
import type { RunEvent, SqlRehearsal } from '../../engine/events.js';
import { rehearsalLines } from '../rehearsal.js';
import type { CellQuestion, TerminalHandOver } from '../../engine/lang/executor.js';
import { isSecretName } from '../../engine/redact.js';
import type { ConsoleStore } from './store.js';

type Jump = Extract<Decision, { action: 'jump' }>;

type Pending =
  | { kind: 'decide'; cell: string; after: boolean; resolve: (decision: Decision) => void }
  | { kind: 'confirm'; targetName: string; resolve: (confirmed: boolean) => void; rehearse?: () => Promise<SqlRehearsal>; rehearsing?: boolean }
  | { kind: 'variable'; resolve: (value: string | undefined) => void; emptyIsAnswer?: true }
  | { kind: 'finish'; resolve: (back: Jump | undefined) => void };

/** What a decide is about: before the cell runs, or after it finished. */
export type DecidePhase = 'before' | 'after';

/**
 * After a cell that succeeded or was skipped the console moves on by itself: one key
 * per step. A failed, cancelled or timed-out cell waits (retry, edit, move on, quit).
 * After the last cell, `finish` keeps the console up: tick the checklist, go back to a
 * cell, or end the run with enter.
 */
export class TuiOperator implements Operator {
  private pending: Pending | undefined;
  private justFinished: string | undefined;
  /**
   * One decision already taken for a cell the runner has not asked about yet: enter on
   * another cell (a jump, then run), or a key pressed before the runner's first question.
   * It is used only if the runner's next question is about that very cell.
   */
  private intent: { cell: string; decision: Decision; key?: string } | undefined;
  private quitting = false;
  /** Ids of the ad-hoc cells run so far, and the question to put back once one ends. */
  private readonly adhocCells = new Set<string>();
  private backFromAdhoc: { cell: string; after: boolean } | undefined;
  /** Said once the next question is on screen: a queued key that was not used. */
  private dropped: string | undefined;
  /** Lent to an `interactive` cell (see run.tsx): the console's terminal, handed over like the pager's. */
  terminal?: TerminalHandOver;

  constructor(
    readonly actor: string,
    private readonly store: ConsoleStore,
  ) {}

  /** Feed every run event here too: it tells a decide after a cell from one before it. */
  observe(event: RunEvent): void {
    // An ad-hoc cell runs between two questions about the same cell: it changes neither.
    if (event.type === 'cell.started' && event.adhoc) this.adhocCells.add(event.cell);
    if (this.adhocCells.has((event as { cell?: string }).cell ?? '')) return;
    // A killed attempt settled on resume is history, not a cell that just ran: it is asked about as before it runs.
    if (event.type === 'cell.finished' && !event.evidence) this.justFinished = event.cell;
    if (event.type === 'cell.started') this.justFinished = undefined;
  }

  decide(context: DecisionContext): Promise<Decision> {
    const id = context.cell.id;
    const back = this.backFromAdhoc?.cell === id ? this.backFromAdhoc : undefined;
    this.backFromAdhoc = undefined;
    const after = back ? back.after : this.justFinished === id;
    this.justFinished = undefined;
    if (back && !this.quitting) return this.waitFor(id, context, after);
    if (this.quitting) return Promise.resolve({ action: 'quit' });
    const intent = this.takeIntent(id, after);
    if (intent) return Promise.resolve(intent);
    const movesOn = after && (context.lastStatus === 'succeeded' || context.lastStatus === 'skipped');
    if (movesOn) return Promise.resolve({ action: 'next' });
    return this.waitFor(id, context, after);
  }

  /** The question on screen until a key answers it. */
  private waitFor(id: string, context: DecisionContext, after: boolean): Promise<Decision> {
    return new Promise((resolve) => {
      this.pending = { kind: 'decide', cell: id, after, resolve };
      this.store.dispatch({
        type: 'ui.ask',
        ask: {
          kind: 'decide',
          cell: id,
          attempts: context.attempts,
          lastStatus: context.lastStatus,
          effect: context.effect,
          phase: after ? 'after' : 'before',
          // Shown in the cell pane for as long as the question stands, not as a passing flash.
          ...(context.missing?.length && !after ? { missing: context.missing } : {}),
          ...(context.unreachable && after ? { unreachable: true } : {}),
          ...(context.asks?.length ? { asks: context.asks } : {}),
        },
        source: context.source,
      });
      if (this.dropped) this.store.dispatch({ type: 'ui.flash', text: this.dropped });
      this.dropped = undefined;
    });
  }

  confirmWrite(cell: Cell, targetName: string, rehearse?: () => Promise<SqlRehearsal>): Promise<boolean> {
    if (this.quitting) return Promise.resolve(false);
    this.dropIntent();
    // An ad-hoc write is asked about before it starts: on screen (source, WRITES) while the name is typed.
    const at = this.backFromAdhoc?.cell;
    if (at && !(cell.id in this.store.getState().cells)) {
      const { id, lang, line, section, source } = cell;
      this.store.dispatch({ type: 'ui.adhoc.planned', cell: { id, lang, line, section, source }, at });
    }
    return new Promise((resolve) => {
      this.pending = { kind: 'confirm', targetName, resolve, ...(rehearse ? { rehearse } : {}) };
      this.store.dispatch({ type: 'ui.ask', ask: { kind: 'confirm', cell: cell.id, targetName } });
      this.store.dispatch({
        type: 'ui.prompt.open',
        prompt: {
          kind: 'confirm',
          label: `${cell.id} writes to ${targetName}. Type ${targetName} to confirm:`,
          masked: false,
          keys: `enter confirms · ${rehearse ? 'tab rehearses it (run, then rolled back) · ' : ''}esc refuses the write (the cell is skipped)`,
        },
      });
    });
  }

  /**
   * Tab at a SQL write's confirmation: the rehearsal runs (rolled back) and its lines stand
   * under the question, which stays open. The typed text is kept. False when there is none to run.
   */
  rehearse(): boolean {
    const pending = this.pending;
    if (pending?.kind !== 'confirm' || !pending.rehearse || pending.rehearsing) return false;
    pending.rehearsing = true;
    this.store.dispatch({ type: 'ui.prompt.detail', detail: ['rehearsing: running the cell in a transaction that will be rolled back…'] });
    void pending.rehearse().then(
      (event) => {
        pending.rehearsing = false;
        if (this.pending === pending) this.store.dispatch({ type: 'ui.prompt.detail', detail: rehearsalLines(event) });
      },
      (error: unknown) => {
        pending.rehearsing = false;
        if (this.pending === pending) this.store.dispatch({ type: 'ui.prompt.detail', detail: [`rehearsal: could not rehearse: ${(error as Error).message}`] });
      },
    );
    return true;
  }

  askVariable(spec: VariableSpec, refused?: string, at?: { cell: string }): Promise<string | undefined> {
    if (this.quitting) return Promise.resolve(undefined);
    this.dropIntent();
    const masked = Boolean(spec.secret) || isSecretName(spec.name);
    return new Promise((resolve) => {
      this.pending = { kind: 'variable', resolve };
      this.store.dispatch({ type: 'ui.ask', ask: { kind: 'variable', name: spec.name, secret: masked, description: spec.description, pattern: spec.pattern } });
      const detail = [
        ...(spec.description ? [spec.description] : []),
        ...(spec.hint !== undefined ? [`the runbook suggests: ${spec.hint}`] : []),
        ...(spec.pattern ? [`must match ${spec.pattern}`] : []),
      ];
      this.store.dispatch({
        type: 'ui.prompt.open',
        prompt: {
          kind: 'variable',
          label: `Value for <${spec.name}>${masked ? ' (secret: not shown, not recorded)' : ''}:`,
          masked,
          detail,
          // A prompted export's written value (promptEnv) is there to keep with enter or to change.
          ...(spec.suggested !== undefined && !refused ? { text: spec.suggested } : {}),
          ...(refused ? { error: refused } : {}),
          keys: at ? `enter gives the value · esc skips ${at.cell}` : 'enter gives the value · esc leaves it unset: the run stops before its first cell',
        },
      });
    });
  }

  /** After the last cell: the console stays up until enter ends the run, or the operator goes back to a cell. */
  finish(): Promise<Jump | undefined> {
    if (this.quitting) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.pending = { kind: 'finish', resolve };
      this.store.dispatch({ type: 'ui.checklist.finishing' });
    });
  }

  /**
   * `a`: a cell typed in the console runs now, at the cell asked about (after the last
   * cell: at the selected one, which the run goes back to). The same question is asked
   * again when it ends.
   */
  adhoc(lang: Lang, source: string, at?: string): boolean {
    const decision: Decision = { action: 'adhoc', lang, source };
    if (this.pending?.kind === 'finish' && at) return this.jumpThen(at, decision);
    if (this.pending?.kind !== 'decide') return false;
    this.backFromAdhoc = { cell: this.pending.cell, after: this.pending.after };
    return this.settle(this.pending.resolve, decision);
  }

  /** Enter in the finish phase: the run may end. */
  endRun(): boolean {
    if (this.pending?.kind !== 'finish') return false;
    return this.settle(this.pending.resolve, undefined);
  }

  /** Which cell and phase the runner waits on, if it waits for a decision. */
  get waitingDecision(): { cell: string; phase: DecidePhase } | undefined {
    return this.pending?.kind === 'decide' ? { cell: this.pending.cell, phase: this.pending.after ? 'after' : 'before' } : undefined;
  }

  /** True while the runner waits for nothing from the console (preparing, running, between cells). */
  get idle(): boolean {
    return this.pending === undefined;
  }

  answer(decision: Decision): boolean {
    if (this.pending?.kind !== 'decide') return false;
    return this.settle(this.pending.resolve, decision);
  }

  /** Answers now with a jump (or, after the last cell, goes back), and remembers what to do at the cell. */
  jumpThen(to: string, then: Decision | undefined): boolean {
    const pending = this.pending;
    if (pending?.kind !== 'decide' && pending?.kind !== 'finish') return false;
    this.intent = then ? { cell: to, decision: then } : undefined;
    if (pending.kind === 'finish') return this.settle(pending.resolve, { action: 'jump', to });
    return this.settle(pending.resolve, { action: 'jump', to });
  }

  /**
   * A key pressed while the runner is not asking yet (still preparing, or between cells):
   * kept for the cell on screen, used only if the runner's next question is about it.
   * A second key replaces the first: exactly one is ever queued.
   */
  queue(cell: string, decision: Decision, key: string): boolean {
    if (this.pending) return false;
    this.intent = { cell, decision, key };
    return true;
  }

  /** The wrong name is not a refusal: the prompt says what was expected and asks again. */
  answerConfirm(typed: string | undefined): boolean {
    if (this.pending?.kind !== 'confirm') return false;
    if (typed === undefined) return this.settle(this.pending.resolve, false);
    const expected = this.pending.targetName;
    if (typed.trim() === expected) return this.settle(this.pending.resolve, true);
    const shown = typed.trim() === '' ? 'nothing' : JSON.stringify(typed.trim());
    this.store.dispatch({ type: 'ui.prompt.refused', error: `expected ${expected}, got ${shown}: type ${expected} exactly, or esc to refuse` });
    return true;
  }

  /** Read-Host (or a confirmation) in a running cell: asked in the prompt line, in the cell's own words; esc declines (the cell stops there). */
  askPrompt(cell: string, question: CellQuestion): Promise<string | undefined> {
    if (this.quitting) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      // An empty line is an answer to Read-Host (its default), not a refusal.
      this.pending = { kind: 'variable', resolve, emptyIsAnswer: true };
      this.store.dispatch({
        type: 'ui.prompt.open',
        prompt: {
          kind: 'variable',
          label: `${question.prompt || question.by || 'Read-Host'}:${question.secure ? ' (secure: not shown, not recorded)' : ''}`,
          masked: question.secure,
          detail: [`${cell} asks (${question.by ?? 'Read-Host'})`, ...(question.detail ?? [])],
          keys: `enter answers · esc declines: ${cell} stops there`,
        },
      });
    });
  }

  answerVariable(value: string | undefined): boolean {
    if (this.pending?.kind !== 'variable') return false;
    return this.settle(this.pending.resolve, value === '' && !this.pending.emptyIsAnswer ? undefined : value);
  }

  /** Quit: the current question resolves as a refusal, every later one as quit. */
  quit(): void {
    this.quitting = true;
    this.intent = undefined;
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

  /** The queued decision for this question, if it was meant for this very cell; any other is dropped and said so. */
  private takeIntent(cell: string, after: boolean): Decision | undefined {
    const intent = this.intent;
    if (!intent) return undefined;
    if (intent.cell === cell && !after) {
      this.intent = undefined;
      return intent.decision;
    }
    // After a cell finished, a key queued for the cell that comes next waits for its question.
    if (after && intent.cell !== cell) return undefined;
    this.dropIntent(cell);
    return undefined;
  }

  private dropIntent(now?: string): void {
    const intent = this.intent;
    this.intent = undefined;
    if (!intent?.key) return;
    const where = now ? `the console is on ${now} now` : 'the console asked something else first';
    this.dropped = `${intent.key} for ${intent.cell} was not used: ${where}; press it again`;
  }

  private settle<T>(resolve: (value: T) => void, value: T): true {
    this.pending = undefined;
    this.store.dispatch({ type: 'ui.answered' });
    resolve(value);
    return true;
  }
}
