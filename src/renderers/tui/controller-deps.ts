/**
 * What the console's controller is given and what it hands keys to, apart from the
 * controller itself: the prompt handlers (prompts.ts, adhoc-prompt.ts) take the same
 * dependencies, and importing them from controller.ts made a circle.
 */
import type { Lang } from '../../engine/runbook.js';
import type { KeyPress } from './keys.js';
import type { TuiOperator } from './operator.js';
import type { ChecklistEntry, ConsoleState } from './state.js';
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
  /** Shows the selected cell's whole output in the pager ($PAGER, else `less -S`). */
  page?: (state: ConsoleState, cell: string) => unknown;
  /** The cell pane's size now (the App's layout), so PgUp / PgDn stop at the end of the result. */
  viewport?: () => { width: number; height: number };
}

/** What the App hands key presses to: the live controller, or the replay's. */
export interface KeyHandler {
  key(input: string, key: PromptKey): void;
}

export interface PromptKey extends KeyPress {
  backspace?: boolean;
  delete?: boolean;
}
