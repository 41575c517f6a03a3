/**
 * The Operator is asked before each cell what to do. The TUI is one operator,
 * `--yes` is another, a test is a third. The runner never assumes which.
 */
import type { Cell, Lang, VariableSpec } from './runbook.js';
import type { CellStatus, SqlRehearsal } from './events.js';
import type { CellQuestion, TerminalHandOver } from './lang/executor.js';

export interface DecisionContext {
  cell: Cell;
  /** The source that would run now (after earlier edits and bound placeholders shown as references). */
  source: string;
  /** 0 before the first attempt; 1 after it ran once, and so on. */
  attempts: number;
  /** The status of the last attempt, when there was one (a failed cell can be retried). */
  lastStatus?: CellStatus;
  effect: 'read' | 'write';
  /** Commands the cell calls that preflight did not find (`railway`): the operator decides (run anyway, edit, skip). */
  missing?: string[];
  /** The last attempt could not reach the database (nothing of it ran): trying again is the likely next step. */
  unreachable?: boolean;
  /** In the console: the values this cell lacks, asked when it runs (esc there skips the cell). */
  asks?: string[];
}

export type Decision =
  | { action: 'run' }
  | { action: 'skip'; reason?: string }
  /** What the operator saved runs; the runner asks again with the new source. */
  | { action: 'edit'; source: string }
  | { action: 'retry' }
  /** Move the cursor to another cell (forwards or backwards). */
  | { action: 'jump'; to: string }
  /**
   * Run a cell typed in the console, at this cell: planned and guarded like any other,
   * recorded as its own cell (`cell.started` with `adhoc`); the runner then asks again.
   */
  | { action: 'adhoc'; lang: Lang; source: string }
  /** Move on to the next cell after a finished one (no event). */
  | { action: 'next' }
  | { action: 'quit' };

/**
 * How a guarded write was let through: `true` when the operator typed the target's name;
 * `{ flag }` when an unattended run's command line allowed it (nobody typed anything);
 * `false` when not allowed.
 */
export type WriteApproval = boolean | { flag: '--allow-writes' };

export interface Operator {
  readonly actor: string;
  /** Before each cell, and again after it finished (retry / next / jump / quit). */
  decide(context: DecisionContext): Promise<Decision>;
  /**
   * A write against a non-sandbox target, or a `confirm` cell: the operator must
   * type the target's name. Resolves true when confirmed by typing (see WriteApproval).
   * `rehearse` (SQL cells): runs the cell as it would run in a transaction that is rolled
   * back, records it, and resolves to what each statement would do; the question stands.
   */
  confirmWrite(cell: Cell, targetName: string, rehearse?: () => Promise<SqlRehearsal>): Promise<WriteApproval>;
  /**
   * A placeholder or variable with no value yet; undefined means none given. A value that
   * fails the spec's pattern is refused and asked for again, with `refused` saying why.
   * `at`: asked as that cell runs (the console), so no value skips the cell, not the run.
   */
  askVariable(spec: VariableSpec, refused?: string, at?: { cell: string }): Promise<string | undefined>;
  /**
   * Every cell is done (not on quit or abort): the last moment before `run.finished`.
   * The console shows the postmortem checklist here; ticks made meanwhile land in the run.
   * A jump resolves it instead: the run goes back to that cell (and asks again at the end).
   */
  finish?(): Promise<void | Extract<Decision, { action: 'jump' }>>;
  /**
   * A running cell asks (PowerShell's Read-Host, `secure` for -AsSecureString, or a question
   * through its host: a confirmation, PromptForChoice, Get-Credential): the answer,
   * or undefined to decline (the cell stops there). Absent where nobody can answer
   * (unattended): such a cell fails with the question as the reason.
   */
  askPrompt?(cell: string, question: CellQuestion): Promise<string | undefined>;
  /** A terminal to lend to an `interactive` cell (the console has one; unattended runs do not). */
  readonly terminal?: TerminalHandOver;
}
