/**
 * What the cell pane holds, as rows counted before anything is drawn: the same function
 * lays out the pane and tells the keys how far PgUp / PgDn may scroll, so the two
 * cannot disagree. A running cell shows the tail of its output; a finished one its
 * result from the top (scrollable), with its status and error pinned below, wrapped
 * (tables are cut at the edge instead: a wrapped row is unreadable).
 */
import wrapAnsi from 'wrap-ansi';
import { MASK } from '../../engine/redact.js';
import { truncateTo } from '../text/width.js';
import { fitLines } from './format.js';
import { finishedPhrase, statusWord } from '../text/status.js';
import { finishedErrorLines } from '../text/cell-error.js';
import { highlightSource } from './highlight.js';
import { outputLines, type ScreenLine } from './lines.js';
import { isFinished, type CellView, type ConsoleState } from './state.js';

export interface PaneModel {
  prose: string[];
  source: string[];
  /** Yellow lines under the source: the values it uses, commands not found. */
  notes: string[];
  /** The output rows on screen. */
  output: ScreenLine[];
  /** A finished cell's result longer than its window: where the window is. */
  scroll?: { top: number; total: number; rows: number };
  /** Status and error of a finished cell: always in view, under its output. */
  pinned: ScreenLine[];
}

/** Lines wrapped at `width` (tables kept whole, to be cut at the edge): every character of an error stays on screen. */
export function wrapScreenLines(lines: readonly ScreenLine[], width: number): ScreenLine[] {
  const room = Math.max(10, width);
  return lines.flatMap((line) => {
    if (line.tone === 'table' || line.text === '') return [line];
    return wrapAnsi(line.text, room, { hard: true, trim: false, wordWrap: true }).split('\n').map((text) => ({ text, tone: line.tone }));
  });
}

/** The cell pane of `height` rows (its title row included) at `width`. */
export function paneModel(state: ConsoleState, cell: CellView, width: number, height: number): PaneModel {
  const ask = state.ask?.kind === 'decide' && state.ask.cell === cell.id ? state.ask : undefined;
  const source = shownSource(cell, shownValues(state));
  let room = height - 1;
  if (cell.status === 'running') {
    const output = wrapScreenLines(outputLines(cell.output, width), width);
    const outputRows = Math.max(1, room - 3);
    const sourceRows = Math.max(1, Math.min(source.length, room - Math.min(outputRows, output.length)));
    const shown = cutSource(source, sourceRows);
    return { prose: [], source: shown, notes: [], output: output.slice(-Math.max(1, room - shown.length)), pinned: [] };
  }
  if (isFinished(cell)) {
    // The title says how it ended (statusText); under the result stays only its error.
    const pinned = wrapScreenLines(finishedErrorLines(cell), width);
    const output = wrapScreenLines(outputLines(cell.output, width), width);
    room -= pinned.length;
    // The result is what the engineer came back for: the source gets two rows (v shows it all) when the result needs the room.
    const sourceRows = Math.max(1, Math.min(source.length, Math.max(2, room - output.length)));
    const shown = cutSource(source, sourceRows);
    room -= shown.length;
    if (output.length <= room) return { prose: [], source: shown, notes: [], output, pinned };
    const rows = Math.max(1, room - 1);
    const max = Math.max(0, output.length - rows);
    const asked = state.paneScroll?.cell === cell.id ? state.paneScroll.top : 0;
    const top = Math.min(Math.max(0, asked), max);
    return { prose: [], source: shown, notes: [], output: output.slice(top, top + rows), scroll: { top, total: output.length, rows }, pinned };
  }
  const prose = [...sectionProse(state, cell, width, room - Math.min(source.length, 8)), ...fitLines(cell.prose, width, height >= 20 ? 2 : 1)];
  room -= prose.length;
  const notes = [valuesLine(state, cell, ask?.kind === 'decide' && ask.cell === cell.id ? ask.asks : undefined), ask?.missing?.length ? `missing: ${ask.missing.join(', ')} (not found on PATH): enter runs anyway, e edits, s skips` : undefined].filter((n): n is string => n !== undefined);
  room -= notes.length;
  return { prose, source: cutSource(source, Math.max(1, room)), notes, output: [], pinned: [] };
}

/** The scroll position PgUp / PgDn lead to from here (`pages` up negative, down positive), kept inside the result. */
export function scrolledTop(state: ConsoleState, cell: CellView, width: number, height: number, pages: number): number | undefined {
  const scroll = paneModel(state, cell, width, height).scroll;
  if (!scroll) return undefined;
  const step = Math.max(1, scroll.rows - 1);
  return Math.min(Math.max(0, scroll.top + pages * step), Math.max(0, scroll.total - scroll.rows));
}

/**
 * The prose of the cell-less sections just before a pending cell (the Symptoms before the
 * first step), as written, line by line, in the rows the source leaves (at least its title
 * and two lines); what does not fit says where the rest is.
 */
function sectionProse(state: ConsoleState, cell: CellView, width: number, rows: number): string[] {
  const lines = (state.prose ?? []).filter((section) => section.before === cell.id).flatMap((section) => [
    `§ ${section.title}`,
    ...section.prose.split('\n').filter((line) => line.trim()).map((line) => `  ${line}`),
  ]);
  const room = Math.max(3, rows);
  const fitted = lines.map((line) => truncateTo(line, Math.max(2, width)));
  if (fitted.length <= room) return fitted;
  return [...fitted.slice(0, room - 1), `  … ${fitted.length - room + 1} more lines in the runbook`];
}

function cutSource(source: string[], rows: number): string[] {
  if (source.length <= rows) return source;
  if (rows <= 1) return [dimmed(`… ${source.length} source lines · v shows the whole source`)];
  return [...source.slice(0, rows - 1), dimmed(`… ${source.length - rows + 1} more lines · v shows the whole source`)];
}

/**
 * The source as shown: a console session as its author wrote it (prompts, commands, and
 * the expected output dimmed: documentation, never run), unless it was edited; else the source.
 */
function shownSource(cell: CellView, values: Record<string, string>): string[] {
  const session = cell.session;
  if (!session || cell.source !== session.source) return highlightSource(cell.source, cell.lang, { values }).split('\n');
  return session.lines.map((line) => (line.kind === 'output' ? dimmed(line.text) : highlightSource(line.text, cell.lang, { values })));
}

/** Values to show in place of placeholders: the bound ones, a secret's as the mask. */
export function shownValues(state: ConsoleState): Record<string, string> {
  return Object.fromEntries(Object.values(state.values).map((v) => [v.name, v.secret || v.value === undefined ? MASK : v.value]));
}

/**
 * One line under the source: the values it uses, and the ones it will ask for when it runs
 * (`asks`: the runner's word, prompted exports included; else its unbound placeholders).
 */
function valuesLine(state: ConsoleState, cell: CellView, asks?: readonly string[]): string | undefined {
  const missing = asks ?? cell.placeholders.filter((name) => !state.values[name]);
  const bound = cell.placeholders.filter((name) => state.values[name]);
  const parts = [
    ...(bound.length ? [`values: ${bound.map((n) => `<${n}>`).join(' ')} filled in (v lists them)`] : []),
    ...(missing.length ? [`asks for ${missing.map((n) => `<${n}>`).join(' ')} when it runs`] : []),
  ];
  return parts.length ? parts.join(' · ') : undefined;
}

/** The status in the cell's title: `running`, or how it ended in the words plain output uses (`failed after 12 ms · exit 3`). */
export function statusText(cell: CellView): string {
  return isFinished(cell) ? finishedPhrase(cell) : statusWord(cell.status);
}

export function dimmed(text: string): string {
  return `\u001b[2m${text}\u001b[22m`;
}
