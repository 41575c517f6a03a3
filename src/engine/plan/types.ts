/**
 * The run plan: every fact about a cell that more than one layer needs (its effect, its
 * interpreter, its working directory, the values it needs, its write guard, whether it
 * runs), decided once before anything is opened, started or connected. `list --json`
 * prints these objects and `run.started` records them, so the two cannot disagree.
 *
 * The shapes are open for more fields: add one here, fill it in build.ts, and every
 * reader (list, the runner, the transcript) carries it.
 */
import type { Lang } from '../runbook.js';
import type { Effect } from '../lang/sql/effects.js';

export type { Effect };

/** How a run is driven. */
export type RunMode = 'interactive' | 'unattended' | 'dry-run';
/** What a run's database is. */
export type TargetKind = 'sandbox' | 'postgres' | 'none';

/** A program a cell calls (commands needed: lang/powershell/commands-needed.ts), found on PATH or not. */
export interface NeededCommand {
  /** `railway`, or `python -m tools.prod_gate` for a module. */
  name: string;
  found: boolean;
  /** Missing, but a near name is on PATH: `python3` for `python`. */
  near?: string;
}


/** Which cells a run walks, as the operator asked for them. Recorded in `run.started`. */
export interface Selection {
  /** `--from ID`: start at this cell. */
  from?: string;
  /** `--only ID,…`: only these cells. Without `from` and `only`, an unattended run leaves out `excludeFromRunAll` cells. */
  only?: string[];
  /** `runbook resume`: where the walk picks up, and the cells that already finished (not run again). */
  resume?: ResumeSelection;
}

export interface ResumeSelection {
  /** The cell the operator's path stopped at; unset, the walk starts where the run did. */
  at?: string;
  /** True when `at` finished: the walk goes on after it; false (cancelled, or a jump's target): `at` runs again. */
  after?: boolean;
  /** Cells that finished (any status but cancelled) before the run stopped. */
  finished: string[];
}

export interface EffectPlan {
  effect: Effect;
  /** `readonly attribute`, `statement 2: UpdateStmt`, `statement 1: SelectStmt with a call of pg_terminate_backend`, … */
  because: string;
  /** Why the cell may not run as written: a `readonly` SQL cell that could leave its READ ONLY transaction. Preflight refuses the run. */
  refused?: string;
}

/** The program a shell cell runs in, found (absolute `command`) or not (`missing`). */
export interface InterpreterPlan {
  /** As the cell names it (`bash -x`, `./tools/mysh`) or the default for its language (`bash`, `pwsh`). */
  named: string;
  /** Absolute path of the program, when it was found. */
  command?: string;
  /** The interpreter's own arguments (`-x` of `bash -x`), before the ones the executor adds. */
  args: string[];
  /** Why it cannot run, when it was not found: one line naming the program and where it was looked for. */
  missing?: string;
}

export interface ConfirmPlan {
  /** The operator types the target's name before the cell runs (once per cell). */
  required: boolean;
  /** `confirm attribute`, `write against postgres`, `write in the sandbox`, `read`. */
  because: string;
  /** Unattended: a required confirmation is refused without --allow-writes, or allowed by it. */
  unattended?: 'refused' | 'allowed-by-flag';
}

/** `missing-command`: unattended only, a program the cell calls is not installed (nobody is there to run it anyway). */
export type WhyNotReason = 'skip-attribute' | 'not-selected' | 'already-run' | 'before-resume-point' | 'missing-interpreter' | 'missing-command';

export interface WhyNot {
  reason: WhyNotReason;
  /** One line, as recorded in the cell's `cell.finished` reason when it is skipped. */
  message: string;
}

export interface CellPlan {
  id: string;
  lang: Lang;
  effect: Effect;
  effectReason: string;
  /** Shell cells only. */
  interpreter?: InterpreterPlan;
  /** Shell cells only: the absolute working directory. */
  cwd?: string;
  /** Where `cwd` came from: the cell's attribute (always used), or the runbook's folder (a `cd` in an earlier cell carries over). */
  cwdFrom?: 'attribute' | 'runbook';
  /** `<NAME>` placeholders the cell needs a value for. */
  placeholders: string[];
  /** `export NAME=…` lines asked for (Runme's promptEnv); absent when the cell asks for none. */
  prompts?: PromptPlan[];
  /** Environment variables the cell references. */
  env: string[];
  /**
   * Shell cells only, when not waited for in the run's own pipes: Runme's `background`
   * (started, not waited for) or `interactive` (the console lends it the terminal).
   */
  runs?: 'background' | 'terminal';
  confirm: ConfirmPlan;
  /**
   * The programs the cell calls (PowerShell cells that will run, read by PowerShell's own
   * parser in the session the cell runs in): found on PATH or not. Read by the prepare step
   * (prepare.ts) before `run.started`; absent where nothing was read.
   */
  needs?: NeededCommand[];
  /** Why `needs` was not read although the cell will run: `list` starts no pwsh unless asked to (--check-commands). */
  needsUnread?: string;
  /** See EffectPlan.refused. */
  refused?: string;
  willRun: boolean;
  whyNot?: WhyNot;
}

/** An `export NAME=…` line whose value the run asks for, as Runme's promptEnv does. */
export interface PromptPlan {
  name: string;
  /** The value as written (quotes removed). */
  written: string;
  /** `default`: written quoted, kept unless the operator changes it; `hint`: a bare word, only shown; `none`: empty. */
  kind: 'default' | 'hint' | 'none';
  /** `promptEnv=yes`: asked in the console even when the environment has a value. */
  always: boolean;
  /** 1-based line of the `export` in the document. */
  line: number;
}

export interface RunPlan {
  selection: Selection;
  /** Every cell of the runbook, in document order. */
  cells: CellPlan[];
  /** The placeholders and prompted exports of the cells that will run, in order of first use: what the run asks values for. */
  neededValues: string[];
  /** A cell that will run talks to the database (SQL, or a shell cell using its URL variable). */
  needsDatabase: boolean;
  /** The first cell that will run. */
  startsAt?: string;
  /** Absent for `list`: no run, so no unattended refusal is decided. */
  mode?: RunMode;
  /** `--allow-writes`: unattended writes that need confirming may run. */
  allowWrites?: boolean;
  /** Absent when the target could not be told; writes then count as guarded. */
  targetKind?: TargetKind;
}
