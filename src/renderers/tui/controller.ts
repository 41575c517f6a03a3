/**
 * Gives the named commands of the key table their effect: answers the runner through
 * the TUI operator, calls the runner's note / tick / cancel, or changes what is shown.
 * Components only translate key presses into `command()` and `promptKey()` calls.
 */
import type { Lang } from '../../engine/runbook.js';
import { commandFor, type CommandName, type KeyPress } from './keys.js';
import type { TuiOperator } from './operator.js';
import { cursorCell, inChecklistPhase, type ChecklistEntry, type Prompt } from './state.js';
import type { ConsoleStore } from './store.js';

/** The runner's side of the console: what keys may ask of a live run. */
export interface RunControls {
  note(text: string, cell?: string): unknown;
  tick(item: ChecklistEntry, checked: boolean): unknown;
  cancelCurrent(): unknown;
}

export interface ControllerDeps {
  store: ConsoleStore;
  operator: TuiOperator;
  /** Absent on replay: nothing can be run, only watched. */
  runner?: RunControls;
  /** Opens an editor on the source; the saved text, or undefined when nothing changed. */
  edit?: (cell: { id: string; source: string; lang: Lang }) => Promise<string | undefined> | string | undefined;
  /** Ctrl-C: stop the run (the runner finishes it as aborted). */
  interrupt?: () => void;
}

/** What the App hands key presses to: the live controller, or the replay's. */
export interface KeyHandler {
  key(input: string, key: PromptKey): void;
}

export interface PromptKey extends KeyPress {
  backspace?: boolean;
  delete?: boolean;
}

export class Controller implements KeyHandler {
  constructor(private readonly deps: ControllerDeps) {}

  /** A key press: into the open prompt if there is one, else through the key table. */
  key(input: string, key: PromptKey): void {
    // Keys typed faster than the terminal is read (or pasted) arrive as one chunk: one at a time.
    if ([...input].length > 1 && !input.startsWith('\u001b') && !key.ctrl && !key.meta) {
      for (const ch of input) this.key(ch === '\r' || ch === '\n' ? '' : ch, ch === '\r' || ch === '\n' ? { return: true } : {});
      return;
    }
    const state = this.deps.store.getState();
    if (key.ctrl && input === 'c') return this.deps.interrupt?.();
    if (state.prompt) return this.promptKey(state.prompt, input, key);
    if (state.help && (key.escape || input === 'q')) return this.dispatch({ type: 'ui.help.toggle' });
    const command = commandFor(input, key);
    if (command) void this.command(command);
  }

  async command(name: CommandName): Promise<void> {
    const { store, operator, runner } = this.deps;
    const state = store.getState();
    const waiting = operator.waitingDecision;
    const selected = cursorCell(state);
    switch (name) {
      case 'help.toggle':
        return this.dispatch({ type: 'ui.help.toggle' });
      case 'cursor.up':
      case 'cursor.down': {
        const delta = name === 'cursor.up' ? -1 : 1;
        return this.dispatch(inChecklistPhase(state) ? { type: 'ui.checklist.move', delta } : { type: 'ui.cursor.move', delta });
      }
      case 'checklist.tick': {
        const item = state.checklist[state.checklistCursor];
        if (!inChecklistPhase(state) || !item || !runner) return this.flash('the checklist can be ticked after the last cell');
        runner.tick(item, !item.checked);
        return;
      }
      case 'note.add':
        if (!runner) return this.flash('replay: notes cannot be added');
        return this.open('note', 'Note for the timeline (enter saves, esc drops):');
      case 'cell.jump':
        return this.open('jump', 'Jump to cell id:');
      case 'run.quit':
        return this.open('quit', 'Quit the run? (y/n)');
      case 'cell.cancel':
        if (!runner || state.focus === undefined || state.cells[state.focus]?.status !== 'running') return this.flash('nothing is running');
        runner.cancelCurrent();
        return;
    }
    if (inChecklistPhase(state)) {
      if (name === 'cell.run') operator.endRun();
      else this.flash('enter finishes the run; space or x ticks');
      return;
    }
    if (!waiting || !selected) return this.flash(runner ? 'a cell is running (c cancels it)' : 'nothing to do');
    const onAsked = selected.id === waiting.cell;
    switch (name) {
      case 'cell.run':
        if (!onAsked) operator.jumpThen(selected.id, { action: selected.attempt > 0 ? 'retry' : 'run' });
        else operator.answer(waiting.phase === 'after' ? { action: 'next' } : { action: 'run' });
        return;
      case 'cell.retry':
        if (selected.attempt === 0) return this.flash(`${selected.id} has not run yet (enter runs it)`);
        if (!onAsked) operator.jumpThen(selected.id, { action: 'retry' });
        else operator.answer({ action: 'retry' });
        return;
      case 'cell.skip':
        if (!onAsked) return this.flash(`select ${waiting.cell} to skip it`);
        operator.answer(waiting.phase === 'after' ? { action: 'next' } : { action: 'skip', reason: 'skipped by operator' });
        return;
      case 'cell.edit':
        return this.editCell(waiting.cell);
    }
  }

  private async editCell(id: string): Promise<void> {
    const cell = this.deps.store.getState().cells[id];
    if (!cell || !this.deps.edit) return this.flash('editing is not available here');
    const edited = await this.deps.edit(cell);
    if (edited === undefined) return this.flash('edit cancelled: the file was unchanged or empty');
    this.deps.operator.answer({ action: 'edit', source: edited });
  }

  private promptKey(prompt: Prompt, input: string, key: PromptKey): void {
    if (prompt.kind === 'quit') {
      if (input === 'y' || input === 'Y') this.quit();
      else this.dispatch({ type: 'ui.prompt.close' });
      return;
    }
    if (key.escape) return this.submit(prompt, undefined);
    if (key.return) return this.submit(prompt, prompt.text);
    if (key.backspace || key.delete) return this.dispatch({ type: 'ui.prompt.erase' });
    if (input && !key.ctrl && !key.meta) this.dispatch({ type: 'ui.prompt.input', text: input.replace(/[\r\n]/g, '') });
  }

  private submit(prompt: Prompt, text: string | undefined): void {
    const { store, operator, runner } = this.deps;
    if (prompt.kind === 'confirm') return void operator.answerConfirm(text);
    if (prompt.kind === 'variable') return void operator.answerVariable(text);
    this.dispatch({ type: 'ui.prompt.close' });
    const value = text?.trim();
    if (!value) return;
    if (prompt.kind === 'note') {
      runner?.note(value, store.getState().focus);
      return;
    }
    if (prompt.kind === 'jump') {
      if (!(value in store.getState().cells)) return this.flash(`no cell named ${value}`);
      this.dispatch({ type: 'ui.cursor.to', cell: value });
      if (operator.waitingDecision && operator.waitingDecision.cell !== value) operator.jumpThen(value, undefined);
    }
  }

  /** Quit confirmed: a waiting question resolves as quit; a running cell is cancelled first. */
  private quit(): void {
    const { store, operator, runner } = this.deps;
    this.dispatch({ type: 'ui.prompt.close' });
    const state = store.getState();
    const running = state.focus !== undefined && state.cells[state.focus]?.status === 'running';
    operator.quit();
    if (running) runner?.cancelCurrent();
  }

  private open(kind: Prompt['kind'], label: string): void {
    this.dispatch({ type: 'ui.prompt.open', prompt: { kind, label, masked: false } });
  }

  private flash(text: string): void {
    this.dispatch({ type: 'ui.flash', text });
  }

  private dispatch(action: Parameters<ConsoleStore['dispatch']>[0]): void {
    this.deps.store.dispatch(action);
  }
}
