/**
 * The bottom of the console as lines: an open prompt (label, what the value is for,
 * why the last answer was refused, the input, what enter and esc do), a message, or
 * the keys that make sense now. Wrapped, never cut; the layout gives the pane what is left.
 */
import { duration } from '../text/time.js';
import { candidateLine, matchJump } from './jump.js';
import { notRunSummary } from '../outcome.js';
import { displayWidth, tailTo } from '../text/width.js';
import { cursorCell, inChecklistPhase, inFinishPhase, isFinished, type ConsoleState, type Prompt } from './state.js';
import { wrapText } from './wrap.js';

export type FooterTone = 'label' | 'detail' | 'error' | 'input' | 'keys' | 'flash' | 'summary';

export interface FooterLine {
  text: string;
  tone: FooterTone;
}

/** Rows of a multi-line answer (an ad-hoc cell) shown under its label. */
const MAX_INPUT_ROWS = 6;

export function footerLines(state: ConsoleState, width: number, replay?: boolean): FooterLine[] {
  const as = (tone: FooterTone, text: string, indent = '') => wrapText(text, width, indent).map((line) => ({ text: line, tone }));
  if (state.prompt) return promptLines(state, state.prompt, width, as);
  if (state.run.status !== 'running') return as('summary', runSummary(state));
  const lines = state.flash ? as('flash', state.flash) : [];
  return [...lines, ...as('keys', hints(state, replay))];
}

function promptLines(state: ConsoleState, prompt: Prompt, width: number, as: (tone: FooterTone, text: string, indent?: string) => FooterLine[]): FooterLine[] {
  const lines = [...as('label', prompt.label)];
  for (const detail of prompt.detail ?? []) lines.push(...as('detail', `  ${detail}`, '  '));
  if (prompt.kind === 'jump' && prompt.text.trim()) {
    const match = matchJump(state, prompt.text);
    lines.push(...as('detail', match.total ? `  → ${candidateLine(state, match)}` : '  → no cell matches yet', '    '));
  }
  if (prompt.error) lines.push(...as('error', `✗ ${prompt.error}`, '  '));
  const typed = prompt.masked ? '•'.repeat([...prompt.text].length) : prompt.text;
  // A long answer shows its end, where the typing is; a cell of several lines its last few.
  const room = Math.max(4, width - 3);
  const rows = typed.split('\n');
  const last = rows.slice(-MAX_INPUT_ROWS);
  if (rows.length > last.length) lines.push({ text: `  … ${rows.length - last.length} lines above`, tone: 'detail' });
  last.forEach((row, i) => {
    const shown = displayWidth(row) > room ? `…${tailTo(row, room - 1)}` : row;
    lines.push({ text: `${i === 0 && rows.length === last.length ? '›' : ' '} ${shown}`, tone: 'input' });
  });
  if (prompt.keys) lines.push(...as('keys', prompt.keys));
  return lines;
}

function hints(state: ConsoleState, replay?: boolean): string {
  if (replay) return 'replay · ↑↓ select · v source · q quit · ? help';
  if (inChecklistPhase(state)) return 'all cells done · enter ends the run · space/x tick · ↑ back to the cells · n note · ? help';
  if (inFinishPhase(state)) return `all cells done · enter ends the run · r runs again · e edits${state.checklist.length ? ' · ↓ checklist' : ''} · ? help`;
  const ask = state.ask;
  const selected = cursorCell(state);
  // A finished cell looked at (not the one asked about): its result is on screen; it can be paged or run again.
  const lookingBack = selected && isFinished(selected) && !(ask?.kind === 'decide' && ask.cell === selected.id);
  const focus = state.focus === undefined ? undefined : state.cells[state.focus];
  // One line at 80 columns; the help (?) lists every key.
  if (focus?.status === 'running') return `running · ctrl-c cancels it · ${lookingBack ? 'o output' : 'n note'} · ↑↓ select · q quit · ? help`;
  if (ask?.kind === 'decide' && selected?.adhoc) return `enter back to ${ask.cell} · r change and run again · a another · o output · ? help`;
  if (ask?.kind === 'decide' && lookingBack) return 'r run again · o output · v source · a ad-hoc · g jump · q quit · ? help';
  if (ask?.kind === 'decide' && ask.phase === 'after' && ask.unreachable) return 'database unreachable — enter tries again · s moves on · e edit · g jump · q quit · ? help';
  if (ask?.kind === 'decide' && ask.phase === 'after') return 'r retry · e edit · enter next · o output · a ad-hoc · g jump · q quit · ? help';
  if (ask?.kind === 'decide') return 'enter run · s skip · e edit · v source · a ad-hoc · g jump · q quit · ? help';
  // The runner has not asked yet: say so rather than offer a key that would do nothing.
  return 'preparing… (a key for the cell on screen is kept until it is ready) · q quit · ? help';
}

/**
 * The last line: the outcome as run.finished records it, the cells that could not run
 * and why (its `notRun`, in the words the plain summary uses), and the cells skipped by
 * choice (the operator's reason or the runbook's).
 */
export function runSummary(state: ConsoleState): string {
  const run = state.run;
  if (run.status === 'running') return '';
  const parts = [`run ${run.status} in ${duration(run.durationMs)}`];
  const notRun = notRunSummary(run.notRun ?? [], run.selected);
  if (notRun) parts.push(notRun);
  // Which cells failed, by name: the first thing the postmortem asks.
  const failed = state.order.filter((id) => {
    const cell = state.cells[id];
    return cell && !cell.adhoc && (cell.status === 'failed' || cell.status === 'timed-out');
  });
  if (failed.length) parts.push(`failed: ${failed.join(', ')}`);
  const couldNot = new Set((run.notRun ?? []).map((n) => n.cell));
  const skipped = new Map<string, number>();
  for (const cell of state.order.map((id) => state.cells[id])) {
    if (cell?.status === 'skipped' && !couldNot.has(cell.id)) skipped.set(cell.reason ?? 'skipped', (skipped.get(cell.reason ?? 'skipped') ?? 0) + 1);
  }
  const count = [...skipped.values()].reduce((a, b) => a + b, 0);
  if (count) parts.push(`${count} skipped: ${[...skipped].map(([reason, n]) => `${reason} (${n})`).join(', ')}`);
  return parts.join(' · ');
}
