/**
 * One interface for everything the engine asks about a cell's language. The reader, the
 * plan, lint, preflight and the runner ask `languageOf(cell)` (language.ts) and never
 * compare `lang`: a new language is one folder under lang/ with a `language.ts` implementing
 * this, listed in LANGUAGES.
 *
 * Start-up cost: the reader asks every cell for its regions and references, so each
 * language module imports only its lexers; parsers, binders, catalogues and executors are
 * imported on first use (a shell-only runbook never loads pg nor the SQL parser).
 */
import type { Catalogue } from './sql/effects.js';
import type { Region } from './sql/lexer.js';
import type { Executor } from './executor.js';
import type { ParseReport, PowerShellParser } from './powershell/placeholders.js';
import type { Cell, Diagnostic, Lang, Runbook } from '../runbook.js';
import type { EffectPlan, InterpreterPlan, NeededCommand } from '../plan/types.js';
export type { Region };

/** The frontmatter's defaults a language may take for its cells. */
export interface LanguageDefaults {
  /** `shell:` — the program sh cells run in. */
  shell?: string;
  /** `cwd:` — where shell cells run, relative to the runbook. */
  cwd?: string;
  /** `errorAction:` — PowerShell cells stop at the first error, or go on. */
  errorAction?: 'stop' | 'continue';
}

/** What a cell without its own `interpreter`, `cwd` or `errorAction` takes. */
export interface AttributeDefaults {
  interpreter?: string;
  cwd?: string;
  errorAction?: 'stop' | 'continue';
}

/** A console session's prompt dialect (markdown/console-session.ts): `postgres=#`, `$`, `PS>`. */
export type ConsoleDialectName = 'psql' | 'sh' | 'powershell';

/** What binding gives: the source to run and the variables a shell must see for it. */
export interface BoundSource {
  /** Placeholders rewritten to literals (SQL) or environment references (shells). */
  source: string;
  /** Variables the shell must see for the references in `source` (empty for SQL). */
  env: Record<string, string>;
}

export interface BindRequest {
  source: string;
  /** The placeholders to bind: those with values that the source uses. */
  names: string[];
  values: Record<string, string>;
  /** The language's own parser in the run's session, where it has one (PowerShell). */
  parser?: PowerShellParser;
  /** sh: the prompted `export NAME=…` names (promptEnv) whose values are bound too. */
  prompted?: readonly string[];
}

/** What reading a language's commands needed is given. */
export interface CommandsInput {
  cells: readonly Cell[];
  /** The language's parser in the session a cell runs in; undefined where its interpreter is missing (the cell is skipped anyway). */
  parserFor(cell: Cell): Promise<PowerShellParser | undefined>;
  env: NodeJS.ProcessEnv;
  /** Where a cell runs (for `python -m`, which looks there first). */
  cwdOf(cell: Cell): string;
}

export interface CellLanguage {
  readonly lang: Lang;
  /** The fence tags (lower case) that make a cell of this language. */
  readonly aliases: readonly string[];
  /** How messages name it: `SQL`, `PowerShell`, `sh`. */
  readonly title: string;
  /**
   * Where its cells run: in the target database's own session (they need a database, have no
   * working directory and no environment), or in a shell that sees the target in its environment.
   */
  readonly runsIn: 'database' | 'shell';
  /**
   * How typed text says it is complete (the console's ad-hoc cell): SQL ends a statement
   * with `;`; a shell goes on to the next line after its continuation character.
   */
  readonly entry: { ends: string } | { continues: string };
  /** Its line comment. `#` also reads as a Markdown heading, so it cannot tell that a fence was left open. */
  readonly lineComment: '--' | '#';
  /** The console-session dialects its fences are read with, in the order tried. */
  readonly consoleDialects: readonly ConsoleDialectName[];
  /** Runme's shell features apply: `background`, `interactive`, promptEnv `export` lines. */
  readonly runme: boolean;
  /** Binding and commands needed read the source with the language's own parser, in the run's session (PowerShell). */
  readonly parsedInSession: boolean;

  /** Code, string and comment regions: what a placeholder search skips and a parser masks. */
  regions(source: string): Region[];
  /** Environment references (`$NAME`, `${NAME}`, `$env:NAME`), in order of first use, unique; the cell's own variables are not. */
  envRefs(source: string): string[];
  /** The attribute defaults its cells take from the frontmatter and from their tag (`zsh` runs in zsh). */
  defaults(tag: string, frontmatter: LanguageDefaults): AttributeDefaults;
  /** The program a cell runs in when it names none; undefined for a language that runs in the database. */
  defaultInterpreter?(path: string): { named: string; missing: string };
  /** The cell's effect for `source`; `catalogue` is the target's, once connected (the catalogue hook). */
  effect(cell: Pick<Cell, 'attributes'>, source: string, catalogue?: Catalogue): Promise<EffectPlan>;
  /** The catalogue widened to what `source` calls (an edit can call functions the cells did not). */
  widenCatalogue?(catalogue: Catalogue, url: string, source: string): Promise<Catalogue>;
  /**
   * Binds placeholders so a value never becomes code; throws InputError (one line) where it
   * cannot. Runs the checks that need a parser (SQL's parse tree, PowerShell's own parser).
   */
  bind(request: BindRequest): Promise<BoundSource>;
  /**
   * The synchronous core of `bind`, given what those checks found: PowerShell's parse report
   * (without one, a PowerShell placeholder is refused); `reserved`: environment names another
   * binder of the same cell uses (sh's prompted exports).
   */
  bindParsed(source: string, names: readonly string[], values: Record<string, string>, parsed?: ParseReport, reserved?: readonly string[]): BoundSource;
  /** The language's own findings on one cell (`lines`: the document, for exact columns). */
  lint?(cell: Cell, lines?: string[]): Promise<Diagnostic[]>;
  /** Findings that need every cell of the language at once; `named`: the variables known outside the cells. */
  lintRunbook?(runbook: Runbook, named: readonly string[]): Promise<Diagnostic[]>;
  /**
   * The programs its cells call (commands needed), found on PATH or not, by cell id: given
   * every cell of the language that will run, so a function one defines is no program in
   * another. Absent: the language does not read them. A cell whose parser is missing (its
   * interpreter not found) has no entry.
   */
  commandsNeeded?(input: CommandsInput): Promise<Map<string, NeededCommand[]>>;
  /** Which cells share an executor: one per language, and per interpreter for shells. */
  executorKey(interpreter: InterpreterPlan | undefined): string;
  /** The executor for cells with this interpreter against `target`; imported on first use. */
  createExecutor(interpreter: InterpreterPlan | undefined, target: { url: string }): Promise<Executor>;
}
