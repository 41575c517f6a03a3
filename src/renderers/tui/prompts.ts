/**
 * What enter (text) or esc (undefined) does in each prompt. A prompt that cannot take
 * the answer stays open and says why under the input, rather than closing on nothing.
 */
import type { ControllerDeps } from './controller-deps.js';
import { candidateLine, matchJump } from './jump.js';
import type { Prompt } from './state.js';

type Deps = Pick<ControllerDeps, 'store' | 'operator' | 'runner'>;

export function submitPrompt(deps: Deps, prompt: Prompt, text: string | undefined): void {
  const { store, operator, runner } = deps;
  const close = () => store.dispatch({ type: 'ui.prompt.close' });
  switch (prompt.kind) {
    case 'confirm':
      operator.answerConfirm(text);
      return;
    case 'variable':
      operator.answerVariable(text);
      return;
    case 'skip':
      close();
      if (text !== undefined && prompt.cell) skip(deps, prompt.cell, text.trim());
      return;
    case 'note': {
      close();
      const value = text?.trim();
      if (value) runner?.note(value, store.getState().focus);
      return;
    }
    case 'jump':
      if (text === undefined || !text.trim()) return close();
      return jump(deps, text);
    case 'quit':
    case 'adhoc':
      return close();
  }
}

function skip(deps: Deps, cell: string, reason: string): void {
  const { operator, store } = deps;
  const decision = { action: 'skip' as const, ...(reason ? { reason } : {}) };
  const waiting = operator.waitingDecision;
  if (waiting?.cell === cell && waiting.phase === 'before') {
    operator.answer(decision);
    return;
  }
  // Asked to skip while the runner was still preparing: kept for this cell, like enter.
  if (operator.queue(cell, decision, 's')) store.dispatch({ type: 'ui.flash', text: `s kept for ${cell}: it is skipped as soon as the console is ready` });
  else store.dispatch({ type: 'ui.flash', text: `${cell} is not the cell the console is on; nothing skipped` });
}

function jump(deps: Deps, text: string): void {
  const { store, operator } = deps;
  const state = store.getState();
  const match = matchJump(state, text);
  if (!match.cell) {
    const error = match.total === 0 ? `no cell matches ${JSON.stringify(text.trim())}: try its number, or part of its id or heading` : `${match.total} cells match; type more: ${candidateLine(state, match)}`;
    store.dispatch({ type: 'ui.prompt.refused', error });
    store.dispatch({ type: 'ui.prompt.input', text: text });
    return;
  }
  store.dispatch({ type: 'ui.prompt.close' });
  store.dispatch({ type: 'ui.cursor.to', cell: match.cell });
  // An ad-hoc cell is looked at, never walked to: the runbook has no such cell.
  if (state.cells[match.cell]?.adhoc) return;
  if (operator.waitingDecision && operator.waitingDecision.cell !== match.cell) operator.jumpThen(match.cell, undefined);
}
