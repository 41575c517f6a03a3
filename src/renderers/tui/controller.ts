/**
 * Gives the named commands of the key table their effect: answers the runner through
 * the TUI operator, calls the runner's note / tick / cancel, or changes what is shown.
 * Components only translate key presses into `command()` and `promptKey()` calls.
 */
import type { Decision } from '../../engine/operator.js';
import type { Lang } from '../../engine/runbook.js';
import { commandFor, type CommandName } from './keys.js';
import type { ControllerDeps, KeyHandler, PromptKey } from './controller-deps.js';
import type { ConsoleStore } from './store.js';
import { adhocKey, adhocLangs, adhocPrompt } from './adhoc-prompt.js';
import { scrolledTop } from './pane.js';
import { submitPrompt } from './prompts.js';
import { cursorCell, inChecklistPhase, inFinishPhase, isFinished, type CellView, type ConsoleState, type Prompt } from './state.js';

export type { ControllerDeps, KeyHandler, PromptKey, RunControls } from './controller-deps.js';

/** One character of a chunk as the key it stands for: enter, backspace, or itself. */
function chunkKey(ch: string): [string, PromptKey] {
  if (ch === '\r' || ch === '\n') return ['', { return: true }];
  if (ch === '\u007f' || ch === '\b') return ['', { backspace: true }];
  return [ch, {}];
}

export class Controller implements KeyHandler {
  constructor(private readonly deps: ControllerDeps) {}

  /** A key press: into the open prompt if there is one, else through the key table. */
  key(input: string, key: PromptKey): void {
    // Keys typed faster than the terminal is read (or pasted) arrive as one chunk: one at a time.
    if ([...input].length > 1 && !input.startsWith('\u001b') && !key.ctrl && !key.meta) {
      for (const ch of input) this.key(...chunkKey(ch));
      return;
    }
    const state = this.deps.store.getState();
    if (key.ctrl && input === 'c') return this.interrupt(state);
    if (state.prompt) return this.promptKey(state.prompt, input, key);
    if (state.help && (key.escape || input === 'q')) return this.dispatch({ type: 'ui.help.toggle' });
    if (state.sourceView && (key.escape || input === 'v')) return this.dispatch({ type: 'ui.source.toggle' });
    if (state.sourceView && (key.upArrow || key.downArrow || input === 'j' || input === 'k')) {
      return this.dispatch({ type: 'ui.source.scroll', delta: key.upArrow || input === 'k' ? -1 : 1 });
    }
    const command = commandFor(input, key);
    if (command) void this.command(command);
  }

  async command(name: CommandName): Promise<void> {
    const { store, runner } = this.deps;
    const state = store.getState();
    const selected = cursorCell(state);
    switch (name) {
      case 'help.toggle':
        return this.dispatch({ type: 'ui.help.toggle' });
      case 'cursor.up':
      case 'cursor.down':
        return this.dispatch({ type: 'ui.cursor.move', delta: name === 'cursor.up' ? -1 : 1 });
      case 'source.view':
        return this.dispatch({ type: 'ui.source.toggle' });
      case 'output.page':
        if (!selected || !isFinished(selected) || !this.deps.page) return this.flash('the pager shows a finished cell\'s output: select one');
        this.deps.page(state, selected.id);
        return;
      case 'checklist.tick': {
        const item = state.checklist[state.checklistCursor];
        if (!inChecklistPhase(state) || !item || !runner) return this.flash('the checklist can be ticked after the last cell (↓ onto it)');
        runner.tick(item, !item.checked);
        return;
      }
      case 'note.add':
        if (!runner) return this.flash('replay: notes cannot be added');
        return this.open({ kind: 'note', label: 'Note for the timeline:', keys: 'enter saves · esc drops it' });
      case 'cell.jump':
        return this.open({ kind: 'jump', label: 'Jump to cell (number, id or heading; part of it will do):', keys: 'enter jumps · esc stays' });
      case 'run.quit':
        return this.open({ kind: 'quit', label: 'Quit the run? (y/n)' });
      case 'cell.cancel':
        if (!runner || state.focus === undefined || state.cells[state.focus]?.status !== 'running') return this.flash('nothing is running');
        runner.cancelCurrent();
        return;
      case 'output.up':
      case 'output.down':
        return this.scroll(state, name === 'output.up' ? -1 : 1);
    }
    if (!selected) return this.flash('nothing to do');
    if (name === 'cell.adhoc') return this.openAdhoc(state, selected.adhoc ? undefined : selected.id);
    if (selected.adhoc) return this.onAdhoc(name, selected, state);
    if (inFinishPhase(state)) return this.afterLastCell(name, selected.id, selected.attempt);
    return this.onCell(name, selected.id, selected.attempt, state);
  }

  /** After the last cell: enter ends the run; r goes back to the selected cell and runs it again. */
  private afterLastCell(name: CommandName, id: string, attempt: number): void {
    const { operator, store } = this.deps;
    const onCell = !inChecklistPhase(store.getState());
    if (name === 'cell.run') return void operator.endRun();
    if (name === 'cell.retry' && onCell) return void operator.jumpThen(id, { action: attempt > 0 ? 'retry' : 'run' });
    if (name === 'cell.edit' && onCell) return void this.editThenGoBack(id);
    this.flash(onCell ? 'r runs this cell again · e edits it · enter ends the run' : 'enter ends the run · ↑ selects a cell to run again with r');
  }

  private onCell(name: CommandName, id: string, attempt: number, state: ConsoleState): void {
    const { operator } = this.deps;
    const waiting = operator.waitingDecision;
    if (!waiting) return this.notAsked(name, id, attempt, state);
    const onAsked = id === waiting.cell;
    switch (name) {
      case 'cell.run':
        if (!onAsked) operator.jumpThen(id, { action: attempt > 0 ? 'retry' : 'run' });
        // A cell that could not reach the database waits for it: enter tries again (s moves on).
        else if (waiting.phase === 'after' && state.ask?.kind === 'decide' && state.ask.unreachable) operator.answer({ action: 'retry' });
        else operator.answer(waiting.phase === 'after' ? { action: 'next' } : { action: 'run' });
        return;
      case 'cell.retry':
        if (attempt === 0) return this.flash(`${id} has not run yet (enter runs it)`);
        if (!onAsked) operator.jumpThen(id, { action: 'retry' });
        else operator.answer({ action: 'retry' });
        return;
      case 'cell.skip':
        if (!onAsked) return this.flash(`select ${waiting.cell} to skip it`);
        if (waiting.phase === 'after') return void operator.answer({ action: 'next' });
        return this.openSkip(id);
      case 'cell.edit':
        return void this.editCell(waiting.cell);
    }
  }

  /**
   * The runner asks nothing yet (it is still preparing, or between two cells): enter, s
   * or r are kept for the cell on screen, one key at most, and used only if the runner's
   * next question is about that cell. Nothing is lost, and nothing runs another cell.
   */
  private notAsked(name: CommandName, id: string, attempt: number, state: ConsoleState): void {
    const { operator, runner } = this.deps;
    const running = state.focus !== undefined && state.cells[state.focus]?.status === 'running';
    if (!runner || running || !operator.idle || state.run.status !== 'running') {
      return this.flash(running ? 'a cell is running (c cancels it)' : 'nothing to do');
    }
    if (name === 'cell.skip') return this.openSkip(id);
    const decision: Decision | undefined = name === 'cell.run' ? { action: attempt > 0 ? 'retry' : 'run' } : name === 'cell.retry' && attempt > 0 ? { action: 'retry' } : undefined;
    if (!decision) return this.flash('editing waits until the console is ready');
    operator.queue(id, decision, name === 'cell.run' ? 'enter' : 'r');
    this.flash(`enter kept for ${id}: it runs as soon as the console is ready`);
  }

  /**
   * Ctrl-C as psql's habit has it: the running cell is cancelled (its statement on the
   * server, its process tree) and the console stays; with nothing running it asks
   * whether to quit, and a second Ctrl-C at that question quits. In an open prompt it is esc.
   */
  private interrupt(state: ConsoleState): void {
    const running = state.focus !== undefined && state.cells[state.focus]?.status === 'running' ? state.focus : undefined;
    if (running && this.deps.runner) {
      this.deps.runner.cancelCurrent();
      return this.flash(`ctrl-c: cancelling ${running}; the console stays (q quits)`);
    }
    if (state.prompt?.kind === 'quit') return this.quit();
    if (state.prompt) return submitPrompt(this.deps, state.prompt, undefined);
    this.open({ kind: 'quit', label: 'Quit the run? (y/n; ctrl-c again quits)' });
  }

  private scroll(state: ConsoleState, pages: number): void {
    const cell = cursorCell(state);
    const view = this.deps.viewport?.();
    if (!cell || !isFinished(cell) || !view) return this.flash('PgUp/PgDn scroll a finished cell\'s result: select one');
    const top = scrolledTop(state, cell, view.width, view.height, pages);
    if (top !== undefined) this.dispatch({ type: 'ui.output.scroll', cell: cell.id, top });
  }

  /** `a`: at the cell asked about (after the last cell, at the selected one, or where the selected ad-hoc cell was made). */
  private openAdhoc(state: ConsoleState, selected: string | undefined, lang?: Lang, text?: string): void {
    const waiting = this.deps.operator.waitingDecision;
    const at = waiting?.cell ?? (inFinishPhase(state) ? (selected ?? this.anchorOf(state)) : undefined);
    if (!at || !this.deps.runner) return this.flash(this.deps.runner ? 'an ad-hoc cell runs when the console asks about a cell (not while one runs)' : 'replay: nothing runs');
    this.dispatch({ type: 'ui.prompt.open', prompt: adhocPrompt(state, at, lang ?? adhocLangs(state)[0] ?? 'sh', text) });
  }

  /** An ad-hoc cell selected: enter goes back to the cell asked about; r or e brings its text back to change and run again. */
  private onAdhoc(name: CommandName, cell: CellView, state: ConsoleState): void {
    const waiting = this.deps.operator.waitingDecision;
    if (name === 'cell.run' && waiting) return this.dispatch({ type: 'ui.cursor.to', cell: waiting.cell });
    if (name === 'cell.retry' || name === 'cell.edit') return this.openAdhoc(state, undefined, cell.lang, cell.source);
    this.flash(`${cell.id} is an ad-hoc cell: r runs it again (as a new one), a makes another`);
  }

  /** The runbook cell nearest above the selection (the one an ad-hoc cell was made at). */
  private anchorOf(state: ConsoleState): string | undefined {
    for (let i = state.cursor; i >= 0; i -= 1) {
      const cell = state.cells[state.order[i] ?? ''];
      if (cell && !cell.adhoc) return cell.id;
    }
    return undefined;
  }

  private openSkip(cell: string): void {
    this.open({ kind: 'skip', cell, label: `Skip ${cell}. Reason (optional):`, keys: 'enter skips (with the reason, if any) · esc does not skip' });
  }

  /** `e` after the last cell: the edit is made now; the run goes back to the cell with it, and asks before it runs. */
  private async editThenGoBack(id: string): Promise<void> {
    const cell = this.deps.store.getState().cells[id];
    if (!cell || !this.deps.edit) return this.flash('editing is not available here');
    const edited = await this.deps.edit(cell);
    if (edited === undefined) return this.flash('edit cancelled: the file was unchanged or empty');
    if (!this.deps.operator.jumpThen(id, { action: 'edit', source: edited })) this.flash('the run has moved on: the edit was not used');
  }

  private async editCell(id: string): Promise<void> {
    const cell = this.deps.store.getState().cells[id];
    if (!cell || !this.deps.edit) return this.flash('editing is not available here');
    const edited = await this.deps.edit(cell);
    if (edited === undefined) return this.flash('edit cancelled: the file was unchanged or empty');
    this.deps.operator.answer({ action: 'edit', source: edited });
  }

  private promptKey(prompt: Prompt, input: string, key: PromptKey): void {
    if (prompt.kind === 'adhoc') return adhocKey(this.deps, this.deps.store.getState(), prompt, input, key);
    if (prompt.kind === 'quit') {
      if (input === 'y' || input === 'Y') this.quit();
      else this.dispatch({ type: 'ui.prompt.close' });
      return;
    }
    if (key.escape) return submitPrompt(this.deps, prompt, undefined);
    if (key.return) return submitPrompt(this.deps, prompt, prompt.text);
    // At a write's confirmation the name is typed, so a letter cannot be a key: tab rehearses.
    if (key.tab) {
      if (prompt.kind === 'confirm' && !this.deps.operator.rehearse()) this.flash('nothing to rehearse here (SQL writes only; one rehearsal at a time)');
      return;
    }
    if (key.backspace || key.delete) return this.dispatch({ type: 'ui.prompt.erase' });
    if (input && !key.ctrl && !key.meta) this.dispatch({ type: 'ui.prompt.input', text: input.replace(/[\r\n]/g, '') });
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

  private open(prompt: Omit<Prompt, 'text' | 'masked'>): void {
    this.dispatch({ type: 'ui.prompt.open', prompt: { ...prompt, masked: false } });
  }

  private flash(text: string): void {
    this.dispatch({ type: 'ui.flash', text });
  }

  private dispatch(action: Parameters<ConsoleStore['dispatch']>[0]): void {
    this.deps.store.dispatch(action);
  }
}
