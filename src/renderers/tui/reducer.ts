/**
 * The console reducer: (state, event or UI action) → state. Pure and Ink-free; the live
 * run and the replay feed it the same RunEvents, key commands add the UI actions.
 */
import { languageOf } from '../../engine/lang/language.js';
import type { RunEvent, CellFinished } from '../../engine/events.js';
import { appendItem, appendText } from './output.js';
import { targetChangedText } from '../target-changed.js';
import {
  budgetFor,
  pendingCell,
  sectionKey,
  type Ask,
  type CellBase,
  type CellInfo,
  type CellView,
  type ConsoleState,
  isFinished,
  type FinishedCell,
  type Prompt,
} from './state.js';

export type UiAction =
  | { type: 'ui.clock'; now: number }
  /** The runner waits for the operator; `source` is what would run now (after edits). */
  | { type: 'ui.ask'; ask: Ask; source?: string }
  | { type: 'ui.answered' }
  | { type: 'ui.cursor.move'; delta: number }
  | { type: 'ui.cursor.to'; cell: string }
  | { type: 'ui.help.toggle' }
  | { type: 'ui.prompt.open'; prompt: Omit<Prompt, 'text'> & { text?: string } }
  | { type: 'ui.prompt.input'; text: string }
  | { type: 'ui.prompt.erase' }
  /** Lines under the open prompt replaced (a rehearsal's result at a write's confirmation). */
  | { type: 'ui.prompt.detail'; detail: string[] }
  | { type: 'ui.prompt.close' }
  | { type: 'ui.flash'; text?: string }
  /** The shared log's state for the header (src/engine/log/delivery.ts words it); undefined when it keeps up. */
  | { type: 'ui.log'; text?: string }
  | { type: 'ui.checklist.move'; delta: number }
  | { type: 'ui.prompt.refused'; error: string }
  | { type: 'ui.source.toggle' }
  | { type: 'ui.source.scroll'; delta: number }
  /** PgUp / PgDn on a finished cell: the first row of its result on screen (the keys keep it inside the result). */
  | { type: 'ui.output.scroll'; cell: string; top: number }
  /** An ad-hoc cell asked about before it starts (its write confirmed): in the outline after `at`, selected. */
  | { type: 'ui.adhoc.planned'; cell: CellInfo; at: string }
  /** Hold back the decision that ends the run and show the checklist; without one, close it. */
  | { type: 'ui.checklist.finishing' };

export type ConsoleAction = RunEvent | UiAction;

export function reduce(state: ConsoleState, action: ConsoleAction): ConsoleState {
  if (action.type.startsWith('ui.')) return reduceUi(state, action as UiAction);
  const event = action as RunEvent;
  const at = Date.parse(event.ts);
  const timed = Number.isFinite(at) && at > state.now ? { ...state, now: at } : state;
  return reduceEvent(timed, event, Number.isFinite(at) ? at : state.now);
}

/** Folds a batch (the throttled flush of many events) in one go. */
export function reduceAll(state: ConsoleState, actions: readonly ConsoleAction[]): ConsoleState {
  let next = state;
  for (const action of actions) next = reduce(next, action);
  return next;
}

function reduceEvent(state: ConsoleState, event: RunEvent, at: number): ConsoleState {
  if (event.type === 'cell.started' && event.adhoc && !(event.cell in state.cells)) return reduceEvent(withAdhocCell(state, { ...event, id: event.cell, adhoc: true }, event.at), event, at);
  switch (event.type) {
    case 'run.started': {
      const known = state.order.length > 0;
      const cells = withWhyNot(known ? state.cells : Object.fromEntries(event.cells.map((c) => [c.id, pendingCell(c)])), event.cells);
      return {
        ...state,
        title: event.runbook.title || state.title,
        actor: event.actor,
        target: state.target?.seedFileMissing ? { ...event.target, seedFileMissing: state.target.seedFileMissing } : event.target,
        mode: event.mode,
        startedAt: at,
        order: known ? state.order : event.cells.map((c) => c.id),
        cells,
        budgets: state.budgets.length ? state.budgets : (event.budgets ?? []),
        escalation: state.escalation ?? event.escalation,
      };
    }
    case 'cell.started':
      // A message about what was true before (nothing running, back from the pager) goes when a cell starts.
      return withCell(startSection({ ...settle(state, event.cell), focus: event.cell, cursor: indexOf(state, event.cell), paneScroll: undefined, flash: undefined }, event.section, at), event.cell, (cell) => ({
        ...baseOf(cell),
        status: 'running',
        startedAt: at,
        source: event.source,
        attempt: event.attempt,
        output: { items: [], dropped: 0 },
      }));
    case 'cell.output':
      return withCell(state, event.cell, (cell) => ({ ...cell, output: appendText(cell.output, event.stream, event.data, state.outputCap) }));
    case 'cell.output.spilled':
      return withCell(state, event.cell, (cell) => ({
        ...cell,
        output: appendItem(cell.output, { kind: 'spilled', stream: event.stream, path: event.path }, state.outputCap),
      }));
    case 'sql.result': {
      const { title, statement, command, columns, rows, rowCount, truncated } = event;
      const item = { kind: 'result' as const, title, statement, command, columns, rows, rowCount, truncated };
      return withCell(state, event.cell, (cell) => ({ ...cell, output: appendItem(cell.output, item, state.outputCap) }));
    }
    case 'cell.finished':
      return finishCell({ ...state, flash: undefined }, event);
    case 'target.changed':
      // Under the cell that did it, where the operator is looking.
      return withCell(state, event.cell, (cell) => ({ ...cell, output: appendText(cell.output, 'notice', `${targetChangedText(event)}\n`, state.outputCap) }));
    case 'operator.decision':
      return event.action === 'jump' && event.to ? { ...settle(state, event.to), cursor: indexOf(state, event.to) } : state;
    case 'variable.bound':
      return { ...state, values: { ...state.values, [event.name]: { name: event.name, value: event.value, secret: event.secret, source: event.source } } };
    case 'run.preflight':
      return {
        ...state,
        preflight: event.problems.map(({ kind, message, fatal }) => ({ kind, message, fatal })),
        databaseDown: event.database && !event.database.reachable ? event.database.reason : undefined,
      };
    case 'operator.note':
      return { ...state, notes: [...state.notes, { text: event.text, cell: event.cell }], flash: `note: ${event.text}` };
    case 'checklist.ticked':
      return {
        ...state,
        checklist: state.checklist.map((item) => (item.line === event.line || item.text === event.item ? { ...item, checked: event.checked } : item)),
      };
    case 'run.finished':
      return { ...settle(state), run: { status: event.status, durationMs: event.durationMs, selected: event.selected, notRun: event.notRun }, ask: undefined, prompt: undefined, focus: undefined, finishing: undefined };
    case 'run.resumed':
      return resumed(state, at);
    default:
      // Types from newer versions change nothing on screen.
      return state;
  }
}

function finishCell(state: ConsoleState, event: CellFinished): ConsoleState {
  const cell = state.cells[event.cell] ?? pendingCell({ id: event.cell, lang: 'sh', line: 0, section: [] });
  const base = { ...baseOf(cell), attempt: Math.max(cell.attempt, 1) };
  let finished: FinishedCell;
  switch (event.status) {
    case 'succeeded':
      finished = { ...base, status: 'succeeded', durationMs: event.durationMs, exitCode: event.exitCode, ...(event.errors ? { errors: event.errors } : {}) };
      break;
    case 'failed':
      finished = { ...base, status: 'failed', durationMs: event.durationMs, exitCode: event.exitCode, error: event.error, ...(event.errors ? { errors: event.errors } : {}) };
      break;
    case 'skipped':
      finished = { ...base, status: 'skipped', reason: event.reason };
      break;
    case 'cancelled':
      finished = { ...base, status: 'cancelled', durationMs: event.durationMs, error: event.error };
      break;
    case 'timed-out':
      finished = { ...base, status: 'timed-out', durationMs: event.durationMs, error: event.error };
      break;
  }
  const known = event.cell in state.cells;
  const settled = settle(state, event.cell);
  // A SQL cell is the database's latest word: down while its attempts cannot connect, up once one ran.
  const databaseDown = event.error?.unreachable ? event.error.message : languageOf(cell).runsIn === 'database' && event.status === 'succeeded' ? undefined : state.databaseDown;
  return {
    ...settled,
    databaseDown,
    order: known ? state.order : [...state.order, event.cell],
    cells: { ...state.cells, [event.cell]: finished },
    unsettled: event.cell,
  };
}

/**
 * Prints the cell that finished last into the scrollback once the console moves past it
 * (to `next`, another cell), so a retried cell shows only its last attempt there.
 * Earlier attempts stay in the transcript and the timeline.
 */
/**
 * A resumed run after its history: an attempt the killed run left running did not finish
 * there; it is pending until the resumed run runs it again or settles it from the server's word.
 */
function resumed(state: ConsoleState, at: number): ConsoleState {
  // A quit run's run.finished is history too: this run is not over.
  let next: ConsoleState = { ...state, resumedAt: at, focus: undefined, run: { status: 'running' } };
  for (const id of state.order) {
    const cell = next.cells[id];
    // Not finished, as the record has it: pending again, its output kept, until it runs again or resume settles it.
    if (cell?.status === 'running') next = withCell(next, id, (c) => ({ ...baseOf(c), status: 'pending' }));
  }
  return { ...settle(next), focus: undefined };
}

function settle(state: ConsoleState, next?: string): ConsoleState {
  const id = state.unsettled;
  if (id === undefined || id === next) return state;
  const cell = state.cells[id];
  const log = cell && isFinished(cell) ? [...state.log, cell] : state.log;
  return { ...state, log, unsettled: undefined };
}

function reduceUi(state: ConsoleState, action: UiAction): ConsoleState {
  switch (action.type) {
    case 'ui.clock':
      return action.now > state.now ? { ...state, now: action.now } : state;
    case 'ui.ask': {
      const cellId = 'cell' in action.ask ? action.ask.cell : undefined;
      let next: ConsoleState = { ...(cellId ? settle(state, cellId) : state), ask: action.ask, flash: undefined };
      // Back from an ad-hoc cell: its result stays selected (↓ or enter goes back to the cell asked about).
      const looking = state.cells[state.order[state.cursor] ?? ''];
      const keep = looking?.adhoc === true && isFinished(looking) && action.ask.kind === 'decide';
      if (cellId && cellId in state.cells) {
        next = { ...next, focus: cellId, cursor: keep ? state.cursor : indexOf(state, cellId) };
        if (action.source !== undefined) next = withCell(next, cellId, (cell) => ({ ...cell, source: action.source ?? cell.source }));
      }
      return next;
    }
    case 'ui.answered':
      return { ...state, ask: undefined, prompt: undefined, finishing: undefined };
    case 'ui.cursor.move':
      return moveCursor({ ...state, flash: undefined }, action.delta);
    case 'ui.cursor.to':
      return action.cell in state.cells ? { ...state, cursor: indexOf(state, action.cell), onChecklist: false, sourceView: undefined, flash: undefined } : state;
    case 'ui.source.toggle':
      return { ...state, sourceView: state.sourceView ? undefined : { scroll: 0 } };
    case 'ui.source.scroll':
      return state.sourceView ? { ...state, sourceView: { scroll: Math.max(0, state.sourceView.scroll + action.delta) } } : state;
    case 'ui.adhoc.planned': {
      if (action.cell.id in state.cells) return state;
      const next = withAdhocCell(state, action.cell, action.at);
      return { ...next, cursor: indexOf(next, action.cell.id), sourceView: undefined };
    }
    case 'ui.output.scroll':
      return { ...state, paneScroll: { cell: action.cell, top: Math.max(0, action.top) } };
    case 'ui.prompt.refused':
      return state.prompt ? { ...state, prompt: { ...state.prompt, text: '', error: action.error } } : state;
    case 'ui.help.toggle':
      return { ...state, help: !state.help };
    case 'ui.prompt.open':
      return { ...state, prompt: { ...action.prompt, text: action.prompt.text ?? '' }, flash: undefined };
    case 'ui.prompt.input':
      return state.prompt ? { ...state, prompt: { ...state.prompt, text: state.prompt.text + action.text } } : state;
    case 'ui.prompt.erase':
      return state.prompt ? { ...state, prompt: { ...state.prompt, text: [...state.prompt.text].slice(0, -1).join('') } } : state;
    case 'ui.prompt.close':
      return { ...state, prompt: undefined };
    case 'ui.prompt.detail':
      return state.prompt ? { ...state, prompt: { ...state.prompt, detail: action.detail } } : state;
    case 'ui.flash':
      return { ...state, flash: action.text };
    case 'ui.log':
      return { ...state, logStatus: action.text };
    case 'ui.checklist.move':
      return { ...state, checklistCursor: clamp(state.checklistCursor + action.delta, 0, Math.max(0, state.checklist.length - 1)) };
    case 'ui.checklist.finishing':
      return { ...settle(state), finishing: true, onChecklist: state.checklist.length > 0, checklistCursor: 0 };
  }
}

/**
 * ↑/↓. After the last cell the checklist sits below the outline: ↓ past the last cell
 * moves onto it, ↑ past its first item moves back to the cells (to re-run one).
 */
function moveCursor(state: ConsoleState, delta: number): ConsoleState {
  const last = Math.max(0, state.order.length - 1);
  if (state.finishing && state.onChecklist) {
    const item = state.checklistCursor + delta;
    if (item < 0) return { ...state, onChecklist: false, cursor: last };
    return { ...state, checklistCursor: clamp(item, 0, Math.max(0, state.checklist.length - 1)) };
  }
  const cursor = state.cursor + delta;
  if (state.finishing && cursor > last && state.checklist.length) return { ...state, onChecklist: true, checklistCursor: 0, sourceView: undefined };
  return { ...state, cursor: clamp(cursor, 0, last), sourceView: undefined };
}

/** What a cell keeps from one attempt to the next: never the last attempt's error, reason or exit code. */
function baseOf(cell: CellView): CellBase {
  const { id, lang, line, section, source, prose, placeholders, session, attempt, output, timeoutMs, adhoc } = cell;
  return { id, lang, line, section, source, prose, placeholders, ...(session ? { session } : {}), attempt, output, ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(adhoc ? { adhoc } : {}) };
}

function withCell(state: ConsoleState, id: string, update: (cell: CellView) => CellView): ConsoleState {
  const cell = state.cells[id];
  if (!cell) return state;
  return { ...state, cells: { ...state.cells, [id]: update(cell) } };
}

/** An ad-hoc cell joins the outline after the cell it was made at (and after the ad-hoc cells made there before it). */
function withAdhocCell(state: ConsoleState, info: CellInfo, at: string | undefined): ConsoleState {
  const anchor = at !== undefined ? state.order.indexOf(at) : -1;
  let index = anchor === -1 ? state.order.length : anchor + 1;
  while (index < state.order.length && state.cells[state.order[index] as string]?.adhoc) index += 1;
  const cell = pendingCell({ ...info, adhoc: true });
  const order = [...state.order.slice(0, index), info.id, ...state.order.slice(index)];
  // The cursor stays on the cell it was on, wherever that moved to.
  const cursor = state.cursor >= index ? state.cursor + 1 : state.cursor;
  return { ...state, order, cells: { ...state.cells, [info.id]: cell }, cursor };
}

/** The section clock starts when the first cell inside a budgeted section starts. */
function startSection(state: ConsoleState, section: string[], at: number): ConsoleState {
  const budget = budgetFor(state, section);
  if (!budget) return state;
  const key = sectionKey(budget.section);
  if (key in state.sectionStartedAt) return state;
  return { ...state, sectionStartedAt: { ...state.sectionStartedAt, [key]: at } };
}

function indexOf(state: ConsoleState, id: string): number {
  const index = state.order.indexOf(id);
  return index === -1 ? state.cursor : index;
}

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/** The plan's reason a cell will not run, on each cell still pending: read from run.started, never worked out here. */
function withWhyNot(cells: ConsoleState['cells'], planned: readonly { id: string; plan?: { whyNot?: { message: string } } }[]): ConsoleState['cells'] {
  const out = { ...cells };
  for (const { id, plan } of planned) {
    const cell = out[id];
    if (cell?.status === 'pending' && plan?.whyNot) out[id] = { ...cell, whyNot: plan.whyNot.message };
  }
  return out;
}
