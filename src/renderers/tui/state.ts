/**
 * The console's state: a plain value the reducer folds events and key commands into.
 * No Ink, no React, no engine runtime — only engine types — so it is unit-tested
 * without a terminal and fed the same way by a live run and by a replay.
 */
import { proseSections, type ProseSection } from '../../engine/prose-sections.js';
import type { CellError, CellStatus, NotRun, OutputStream, RunMode, RunStatus, TargetKind } from '../../engine/events.js';
import type { Lang, Runbook, SessionLine } from '../../engine/runbook.js';

/** A line of text output, a SQL result set, or a pointer to spilled output. */
export type OutputItem =
  | { kind: 'text'; stream: OutputStream; text: string; open: boolean }
  | { kind: 'result'; title?: string; statement: string; command: string; columns: string[]; rows: unknown[][]; rowCount: number; truncated: boolean }
  | { kind: 'spilled'; stream: OutputStream; path: string };

/** The tail of a cell's output: at most `cap` items, and how many earlier ones were dropped. */
export interface OutputBuffer {
  items: OutputItem[];
  dropped: number;
}

/** What every cell knows, whatever its status. */
export interface CellBase {
  id: string;
  lang: Lang;
  line: number;
  section: string[];
  /** The source as written, or as last run (after an edit). */
  source: string;
  prose: string;
  placeholders: string[];
  /** A console-session cell as written: its commands and the output the author saw (shown dimmed, never run). */
  session?: { lines: SessionLine[]; source: string };
  /** Runs so far (1 after the first attempt). */
  attempt: number;
  output: OutputBuffer;
  /** The cell's `timeout`, shown against its running clock. */
  timeoutMs?: number;
  /** A cell typed in the console during the run (`a`), not one of the runbook's. */
  adhoc?: boolean;
}

/** Each status is its own type with the data only it has. */
/** `whyNot`: the run plan's reason it will not run (not selected, `skip`, a missing interpreter), shown beside it. */
export type PendingCell = CellBase & { status: 'pending'; whyNot?: string };
export type RunningCell = CellBase & { status: 'running'; startedAt: number };
export type SucceededCell = CellBase & { status: 'succeeded'; durationMs: number; exitCode?: number; errors?: number };
export type FailedCell = CellBase & { status: 'failed'; durationMs: number; exitCode?: number; error?: CellError; errors?: number };
export type SkippedCell = CellBase & { status: 'skipped'; reason?: string };
export type CancelledCell = CellBase & { status: 'cancelled'; durationMs: number; error?: CellError };
export type TimedOutCell = CellBase & { status: 'timed-out'; durationMs: number; error?: CellError };
export type CellView = PendingCell | RunningCell | SucceededCell | FailedCell | SkippedCell | CancelledCell | TimedOutCell;
export type FinishedCell = Exclude<CellView, PendingCell | RunningCell>;
export type CellViewStatus = CellView['status'];

/** What the runner is waiting for from the operator, if anything. */
export type Ask =
  | { kind: 'decide'; cell: string; attempts: number; lastStatus?: CellStatus; effect: 'read' | 'write'; phase: 'before' | 'after'; missing?: string[]; unreachable?: boolean; asks?: string[] }
  | { kind: 'confirm'; cell: string; targetName: string }
  | { kind: 'variable'; name: string; secret: boolean; description?: string; pattern?: string };

/** An inline text prompt at the bottom of the screen. */
export interface Prompt {
  kind: 'note' | 'jump' | 'quit' | 'confirm' | 'variable' | 'skip' | 'adhoc';
  label: string;
  text: string;
  masked: boolean;
  /** Lines under the label: what the value is for, the pattern it must match. */
  detail?: string[];
  /** Why the last answer was refused, shown under the input until the next one. */
  error?: string;
  /** What enter and esc do here, said on screen. */
  keys?: string;
  /** The cell a skip prompt is about; the cell an ad-hoc one is made at. */
  cell?: string;
  /** An ad-hoc cell's language. */
  lang?: Lang;
}

/** A value bound for the run, as the events record it (a secret's value never is). */
export interface BoundValue {
  name: string;
  value?: string;
  secret: boolean;
  source: string;
}

/** A preflight finding, as recorded. */
export interface PreflightProblem {
  kind: string;
  message: string;
  fatal: boolean;
}

export interface ChecklistEntry {
  text: string;
  checked: boolean;
  line: number;
}

export interface Budget {
  section: string[];
  budgetMs: number;
}

export interface ConsoleState {
  title: string;
  actor: string;
  target?: { kind: TargetKind; name: string; url: string; seedFileMissing?: string };
  mode?: RunMode;
  /** Epoch ms of run.started; the clock the header counts from (a resumed run's first start). */
  startedAt?: number;
  /** Epoch ms of the latest run.resumed, said in the header. */
  resumedAt?: number;
  /** The newest time seen: the wall clock live, the events' own time on replay. */
  now: number;
  run: { status: 'running' } | { status: RunStatus; durationMs: number; selected?: number; notRun?: NotRun[] };
  order: string[];
  cells: Record<string, CellView>;
  budgets: Budget[];
  /** When the first cell of a budgeted section started, keyed by the section path. */
  sectionStartedAt: Record<string, number>;
  escalation?: string;
  /** Index into `order`: the cell the operator looks at. */
  cursor: number;
  /** The cell the runner is on: asked about or running. */
  focus?: string;
  ask?: Ask;
  prompt?: Prompt;
  help: boolean;
  /** A short message for the footer (an edit cancelled, an unknown cell id…). */
  flash?: string;
  /** The shared log when it needs attention ("log: behind 40 events", "log: unreachable"); absent when it keeps up. */
  logStatus?: string;
  notes: { text: string; cell?: string }[];
  checklist: ChecklistEntry[];
  checklistCursor: number;
  /**
   * The decision that will end the run (move on past the last cell), held back while
   * the operator ticks the postmortem checklist; enter sends it.
   */
  finishing?: boolean;
  /** Settled cells, append-only: what `<Static>` prints once (a cell's last attempt of a visit). */
  log: FinishedCell[];
  /** The cell that finished but may still be retried: printed once the console moves past it. */
  unsettled?: string;
  /** Values bound for the run, by name. */
  values: Record<string, BoundValue>;
  preflight: PreflightProblem[];
  /** PgUp / PgDn: how far down a finished cell's result the pane shows (for that cell only). */
  paneScroll?: { cell: string; top: number };
  /** Why the run's database does not answer, while it does not (preflight, then each SQL cell's attempt); undefined once it answers. */
  databaseDown?: string;
  /** `v`: the selected cell's whole source, scrolled this many lines down. */
  sourceView?: { scroll: number };
  /** After the last cell: the selection is on the checklist (else on a cell, to re-run it). */
  onChecklist?: boolean;
  /** Cap of each cell's output buffer. */
  outputCap: number;
  /** Sections with prose and no cell (Symptoms), shown in the outline before the cell they precede. */
  prose?: ProseSection[];
}

export const LIVE_OUTPUT_CAP = 200;

export interface CellInfo {
  id: string;
  lang: Lang;
  line: number;
  section: string[];
  source?: string;
  prose?: string;
  placeholders?: string[];
  session?: { lines: SessionLine[]; source: string };
  timeoutMs?: number;
  adhoc?: boolean;
}

export interface InitialInfo {
  title?: string;
  actor?: string;
  cells?: CellInfo[];
  budgets?: Budget[];
  escalation?: string;
  checklist?: ChecklistEntry[];
  outputCap?: number;
}

export function pendingCell(info: CellInfo): PendingCell {
  return {
    status: 'pending',
    id: info.id,
    lang: info.lang,
    line: info.line,
    section: info.section,
    source: info.source ?? '',
    prose: info.prose ?? '',
    placeholders: info.placeholders ?? [],
    ...(info.session ? { session: { lines: info.session.lines, source: info.session.source } } : {}),
    attempt: 0,
    output: { items: [], dropped: 0 },
    ...(info.timeoutMs !== undefined ? { timeoutMs: info.timeoutMs } : {}),
    ...(info.adhoc ? { adhoc: true } : {}),
  };
}

export function initialState(info: InitialInfo = {}): ConsoleState {
  const cells = info.cells ?? [];
  return {
    title: info.title ?? '',
    actor: info.actor ?? '',
    now: 0,
    run: { status: 'running' },
    order: cells.map((c) => c.id),
    cells: Object.fromEntries(cells.map((c) => [c.id, pendingCell(c)])),
    budgets: info.budgets ?? [],
    sectionStartedAt: {},
    escalation: info.escalation,
    cursor: 0,
    help: false,
    notes: [],
    checklist: info.checklist ?? [],
    checklistCursor: 0,
    log: [],
    values: {},
    preflight: [],
    outputCap: info.outputCap ?? LIVE_OUTPUT_CAP,
  };
}

/** The console's starting point for a live run: everything the Markdown says. */
export function stateFromRunbook(runbook: Runbook, actor: string, target?: ConsoleState['target']): ConsoleState {
  const state = initialState({
    title: runbook.title,
    actor,
    cells: runbook.cells.map((c) => ({ ...c })),
    budgets: runbook.sections.flatMap((s) => (s.budgetMs ? [{ section: s.path, budgetMs: s.budgetMs }] : [])),
    escalation: runbook.escalation,
    checklist: runbook.checklist.map((c) => ({ text: c.text, checked: c.checked, line: c.line })),
  });
  const prose = proseSections(runbook);
  const withProse = prose.length ? { ...state, prose } : state;
  return target ? { ...withProse, target } : withProse;
}

export const sectionKey = (path: string[]) => path.join('\u0000');

/** The budget whose section holds the cell (the innermost one), if any. */
export function budgetFor(state: ConsoleState, section: string[]): Budget | undefined {
  let best: Budget | undefined;
  for (const budget of state.budgets) {
    const inside = budget.section.every((title, i) => section[i] === title);
    if (inside && (!best || budget.section.length > best.section.length)) best = budget;
  }
  return best;
}

export function cursorCell(state: ConsoleState): CellView | undefined {
  const id = state.order[state.cursor];
  return id === undefined ? undefined : state.cells[id];
}

export function isFinished(cell: CellView): cell is FinishedCell {
  return cell.status !== 'pending' && cell.status !== 'running';
}

/** Every cell is done; the operator ticks the checklist or goes back to a cell before the run ends. */
export function inFinishPhase(state: ConsoleState): boolean {
  return state.finishing === true;
}

/** The finish phase with the selection on the checklist. */
export function inChecklistPhase(state: ConsoleState): boolean {
  return state.finishing === true && state.onChecklist === true;
}
