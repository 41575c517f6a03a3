/**
 * The one key table. Every key maps to a named command; the help screen prints this
 * table, and the controller is the only place that gives the commands their effect.
 */

export type CommandName =
  | 'cell.run'
  | 'cell.skip'
  | 'cell.edit'
  | 'cell.retry'
  | 'cell.adhoc'
  | 'note.add'
  | 'cursor.up'
  | 'cursor.down'
  | 'cell.jump'
  | 'cell.cancel'
  | 'source.view'
  | 'output.page'
  | 'output.up'
  | 'output.down'
  | 'checklist.tick'
  | 'run.quit'
  | 'help.toggle';

/** The keys a binding names: a printable character, or one of these special names. */
export type KeyName = 'enter' | 'up' | 'down' | 'space' | 'escape' | 'pageup' | 'pagedown' | 'ctrl-c' | string;

export interface KeyBinding {
  command: CommandName;
  keys: KeyName[];
  help: string;
}

export const KEY_TABLE: readonly KeyBinding[] = [
  { command: 'cell.run', keys: ['enter'], help: 'run the cell, or move on; after the last cell, end the run' },
  { command: 'cell.skip', keys: ['s'], help: 'skip the cell, with an optional reason for the record' },
  { command: 'cell.edit', keys: ['e'], help: 'edit the cell in $VISUAL / $EDITOR; what you save runs' },
  { command: 'cell.retry', keys: ['r'], help: 'run the selected cell again (after the last cell too)' },
  { command: 'cell.adhoc', keys: ['a'], help: 'an ad-hoc cell: SQL (tab: shell, PowerShell), typed here or in $EDITOR' },
  { command: 'source.view', keys: ['v'], help: 'the whole source of the selected cell, values filled in (↑↓ scroll)' },
  { command: 'output.page', keys: ['o'], help: 'the finished cell\'s whole output and tables in $PAGER (less -S)' },
  { command: 'output.up', keys: ['pageup'], help: 'scroll the selected finished cell\'s result up' },
  { command: 'output.down', keys: ['pagedown'], help: 'scroll the selected finished cell\'s result down' },
  { command: 'note.add', keys: ['n'], help: 'write a note into the timeline' },
  { command: 'cursor.up', keys: ['up', 'k'], help: 'select the previous cell' },
  { command: 'cursor.down', keys: ['down', 'j'], help: 'select the next cell' },
  { command: 'cell.jump', keys: ['g'], help: 'jump to a cell: its number, or part of its id or heading' },
  { command: 'cell.cancel', keys: ['c', 'ctrl-c'], help: 'cancel the running cell; ctrl-c with nothing running asks to quit' },
  { command: 'checklist.tick', keys: ['space', 'x'], help: 'tick or untick a checklist item (after the last cell, ↓ onto it)' },
  { command: 'run.quit', keys: ['q'], help: 'quit (asks first)' },
  { command: 'help.toggle', keys: ['?'], help: 'show or hide this help' },
];

/** The part of Ink's `Key` the table needs; declared here so this file stays Ink-free. */
export interface KeyPress {
  return?: boolean;
  upArrow?: boolean;
  downArrow?: boolean;
  escape?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  tab?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

export function keyMatches(name: KeyName, input: string, key: KeyPress): boolean {
  switch (name) {
    case 'enter':
      // A line feed is enter too: a key pressed before raw mode is on arrives through the
      // terminal's cooked mode as '\n', which Ink does not flag as return.
      return Boolean(key.return) || input === '\n';
    case 'up':
      return Boolean(key.upArrow);
    case 'down':
      return Boolean(key.downArrow);
    case 'escape':
      return Boolean(key.escape);
    case 'pageup':
      return Boolean(key.pageUp);
    case 'pagedown':
      return Boolean(key.pageDown);
    case 'ctrl-c':
      return Boolean(key.ctrl) && input === 'c';
    case 'space':
      return input === ' ';
    default:
      return !key.ctrl && !key.meta && input === name;
  }
}

export function commandFor(input: string, key: KeyPress): CommandName | undefined {
  return KEY_TABLE.find((binding) => binding.keys.some((name) => keyMatches(name, input, key)))?.command;
}

const KEY_LABELS: Record<string, string> = { enter: 'enter', up: '↑', down: '↓', space: 'space', escape: 'esc', pageup: 'PgUp', pagedown: 'PgDn', 'ctrl-c': 'ctrl-c' };

export function keyLabel(name: KeyName): string {
  return KEY_LABELS[name] ?? name;
}
