/**
 * Runme's `promptEnv`: a shell cell's top-level `export NAME=VALUE` lines are values the
 * operator is asked for. Which lines count is Runme's rule, read with the parser Runme
 * itself uses (mvdan/sh, here as sh-syntax): a top-level statement that is only `export
 * NAME=WORD`, where WORD has no expansion. What the line writes decides the prompt:
 * - `"text"` or `'text'`: a default, offered for the operator to keep (Runme pre-fills it);
 * - a bare word (`export PORT=8080`): a hint only (Runme shows it greyed out);
 * - nothing (`export X=` / `""`): no hint.
 * A value bound for such a line reaches the shell as `export NAME="${RUNBOOK_VAR_NAME}"`:
 * only the written word is replaced, and only by a variable reference, never by the value.
 */
import { PLACEHOLDER_NAME } from '../../placeholders/names.js';

export type ExportPromptKind = 'default' | 'hint' | 'none';

export interface ExportPrompt {
  name: string;
  /** The value as written, without its quotes. */
  written: string;
  kind: ExportPromptKind;
  /** 1-based line in the cell's source. */
  line: number;
  /** Where the written value (quotes included) sits in the source, as string offsets. */
  start: number;
  end: number;
}

const EXPORT = /^export[ \t]+([A-Za-z_][A-Za-z0-9_]*)=(.*?)[ \t]*;?$/s;
/** A bare word with nothing the shell would expand, split or glob. */
const BARE = /^[^\s$`\\"'(){}<>|&;*?[\]~#!]+$/;
const PLACEHOLDER_INSIDE = new RegExp(`<${PLACEHOLDER_NAME}>`);

interface Statement {
  Pos: { Offset: number };
  End: { Offset: number };
}

/**
 * The `export NAME=…` lines Runme would prompt for, in order. A source the parser rejects
 * has none (the shell reports the syntax error when the cell runs). A value that holds a
 * `<placeholder>` is the placeholder's to ask for, not a prompt of its own.
 */
export async function findExportPrompts(source: string): Promise<ExportPrompt[]> {
  if (!/\bexport\b/.test(source)) return [];
  // `<GOOD_SHA>` reads as a broken redirection to the shell parser; same length, same offsets.
  const masked = source.replace(new RegExp(`<(${PLACEHOLDER_NAME})>`, 'g'), '_$1_');
  // Imported here, not at the top: only a shell cell with an `export` line needs the parser (a runbook without one never loads it).
  const { parse } = await import('sh-syntax');
  let statements: Statement[];
  try {
    statements = ((await parse(masked)) as unknown as { Stmts?: Statement[] }).Stmts ?? [];
  } catch {
    return [];
  }
  const bytes = Buffer.from(source, 'utf8');
  const charAt = (byte: number) => bytes.subarray(0, byte).toString('utf8').length;
  const found: ExportPrompt[] = [];
  for (const statement of statements) {
    const from = charAt(statement.Pos.Offset);
    const text = source.slice(from, charAt(statement.End.Offset));
    const match = EXPORT.exec(text);
    if (!match) continue;
    const word = match[2]!;
    const kind = classify(word);
    if (!kind || PLACEHOLDER_INSIDE.test(word)) continue;
    const start = from + text.indexOf('=') + 1;
    const written = kind === 'hint' ? word : word.slice(1, -1);
    found.push({ name: match[1]!, written, kind: written === '' ? 'none' : kind, line: lineOf(source, from), start, end: start + word.length });
  }
  return found;
}

function classify(word: string): ExportPromptKind | undefined {
  if (word === '') return 'none';
  if (/^"[^"$`\\]*"$/.test(word) || /^'[^']*'$/.test(word)) return 'default';
  return BARE.test(word) ? 'hint' : undefined;
}

/**
 * Rewrites the prompted lines of `names` to take their value from the environment:
 * `export X="${RUNBOOK_VAR_X}"`. The rest of the source stays byte for byte as written.
 */
export async function bindExportPrompts(source: string, names: readonly string[], envName: (name: string) => string): Promise<string> {
  if (names.length === 0) return source;
  const prompts = (await findExportPrompts(source)).filter((p) => names.includes(p.name));
  let out = source;
  for (const prompt of prompts.reverse()) out = `${out.slice(0, prompt.start)}"\${${envName(prompt.name)}}"${out.slice(prompt.end)}`;
  return out;
}

function lineOf(source: string, at: number): number {
  let line = 1;
  for (let i = 0; i < at; i++) if (source[i] === '\n') line++;
  return line;
}
