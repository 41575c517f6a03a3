/**
 * The runbook model: what the parser reads out of a Markdown document.
 * Every position is 1-based, like an editor shows it.
 */

/** The three executable language families. Aliases are folded by the parser. */
export type Lang = 'sql' | 'powershell' | 'sh';

export interface Position {
  line: number;
  column: number;
}

/** Something the parser or linter has to say about the input, vfile-message style. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  message: string;
  line: number;
  column: number;
  /** A short stable name for the rule, e.g. `sql-syntax`, `duplicate-name`. */
  rule: string;
}

/** Known cell attribute keys; unknown keys are kept verbatim and warned about by lint. */
export interface CellAttributes {
  name?: string;
  timeout?: string;
  confirm?: boolean;
  readonly?: boolean;
  db?: string;
  interpreter?: string;
  cwd?: string;
  skip?: boolean;
  continueOnError?: boolean;
  /** PowerShell cells: `stop` ends the cell at its first error; `continue` (PowerShell's default) goes on. Frontmatter `errorAction:` sets it for every cell. */
  errorAction?: 'stop' | 'continue';
  /** Runme's: whether `export NAME=…` lines are asked for (see placeholders/prompt-env.ts). */
  promptEnv?: 'yes' | 'no' | 'auto';
  [key: string]: unknown;
}

/** One line of a console-session cell as written: a command (prompt and all) or output. */
export interface SessionLine {
  kind: 'command' | 'output';
  text: string;
}

/**
 * A cell written as a terminal session (`$ kubectl get pods` and what it printed). The
 * cell's `source` is then only the commands, prompts removed; this keeps the rest.
 */
export interface ConsoleSession {
  /** The fence's text as written. */
  written: string;
  /** The prompt of the deciding line: `$`, `#`, `PS>`, `PS C:\>`, `db=>`… */
  prompt: string;
  /** One entry per line of `written`, in order. */
  lines: SessionLine[];
  /** How many prompt lines carry a command. */
  commands: number;
  /** Non-blank lines of expected output, which are not run. */
  outputLines: number;
  /** What runs: the commands with their continuations, prompts removed. */
  source: string;
  /** For each line of `source`, its 1-based line in `written`. */
  sourceLines: number[];
}

export interface Section {
  /** Slug of the heading text, made unique in the document. */
  id: string;
  title: string;
  depth: number;
  line: number;
  /** Heading texts from the top down to and including this one. */
  path: string[];
  /** From a heading such as `Immediate Containment (< 2 min)`. */
  budgetMs?: number;
  /** The Markdown under the heading, for a section without cells of its own (Symptoms): as written, up to the next heading. */
  prose?: string;
}

export interface Cell {
  /** `name` attribute, else heading slug with `-2`, `-3`… Unique in the document. */
  id: string;
  /** For a cell without `name`: the name Runme gives it from its first command (`echo-hello`). */
  runmeName?: string;
  lang: Lang;
  /** The language tag as written (`PowerShell`, `ps1`, `postgresql`…). */
  tag: string;
  /** Line of the opening fence. */
  line: number;
  /** Line of the first source line (fence line + 1). */
  sourceLine: number;
  /** Column of the fence's first character (fences inside lists/quotes are indented). */
  column: number;
  /** Heading texts above the cell, outermost first. Empty when no heading precedes it. */
  section: string[];
  /** The prose (paragraphs, lists) between the previous cell or heading and this cell. */
  prose: string;
  /** What runs. For a console session, only its commands (see `session`). */
  source: string;
  /** Set when the fence is a console session: prompts, commands and expected output as written. */
  session?: ConsoleSession;
  attributes: CellAttributes;
  /** Attribute keys the engine does not know. */
  unknownAttributes: string[];
  /** `<NAME>` placeholders in order of first appearance, unique. */
  placeholders: string[];
  /** `$NAME`, `${NAME}`, `$env:NAME` references, unique. */
  envRefs: string[];
  /** Parsed `timeout` attribute. */
  timeoutMs?: number;
}

export interface ChecklistItem {
  text: string;
  checked: boolean;
  line: number;
  section: string[];
  /** From a table's Owner column ('' when the cell is empty); absent when the checklist has no such column. */
  owner?: string;
}

export interface VariableSpec {
  name: string;
  description?: string;
  default?: string;
  secret?: boolean;
  /** A regular expression (source) the value must match in full. */
  pattern?: string;
  /** Offered in the console for the operator to keep or change (a prompted `export`'s written value). */
  suggested?: string;
  /** Shown beside the prompt, not offered as the value (a prompted `export`'s bare word). */
  hint?: string;
}

export interface Runbook {
  path: string;
  /** First h1, else frontmatter `title`, else the file name. */
  title: string;
  sha256: string;
  frontmatter: Record<string, unknown>;
  /** Frontmatter `database:` as written, e.g. `$SUPABASE_DB_URL` or a URL. */
  database?: string;
  variables: VariableSpec[];
  sections: Section[];
  cells: Cell[];
  checklist: ChecklistItem[];
  /** A sentence such as "If unresolved in 15 min, page on-call lead." */
  escalation?: string;
  /** The N of "If unresolved in N min", in milliseconds, when the escalation line says it. */
  escalationAfterMs?: number;
  /** Problems found while parsing (unclosed fence, duplicate names, bad attributes). */
  diagnostics: Diagnostic[];
}
