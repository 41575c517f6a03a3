/**
 * What `runbook lint` finds. Errors: SQL the real PostgreSQL parser rejects (at its line
 * and column in the document), duplicate cell names, fences that never close, a `readonly`
 * SQL cell that could leave its READ ONLY transaction. Warnings:
 * unknown attribute keys (saying which are Runme's), cells with no heading above them,
 * unreadable attributes, console sessions (once per cell: what runs and what does not),
 * SQL that only fails where a placeholder stands for syntax (`EXPLAIN <query>`), PowerShell
 * that reads `$X` where the environment has `X` (`$env:X` is what it means).
 */
import { KNOWN_ATTRIBUTES, nearestAttribute, RUNME_UNSUPPORTED, SAFETY_ATTRIBUTES } from './markdown/attributes.js';
import { PLACEHOLDER, powershellAssignedNames, powershellVariableReads } from './markdown/placeholders.js';
import { declaredDatabase } from './target-choice.js';
import { planInterpreter, planPrompts } from './plan/index.js';
import { dirname, resolve } from 'node:path';
import { seedFileFor } from './target.js';
import { reviewSeed } from './sandbox/seed-review.js';
import type { Cell, Diagnostic, Runbook } from './runbook.js';
import { sqlSyntaxError, positionAt } from './lang/sql/statements.js';
import { reparsedCalls, reparsedMessage, reparsedPlaceholders } from './lang/sql/reparsed.js';
import { readonlyBreach, readonlyMessage } from './lang/sql/readonly.js';
import { bindSh, ShBindingRefusal } from './lang/sh/placeholders.js';


/**
 * All diagnostics for a runbook, in document order. Pass the document text to get exact
 * columns for SQL errors inside indented fences (list items, blockquotes).
 */
export async function lintRunbook(runbook: Runbook, text?: string): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [...runbook.diagnostics];
  const lines = text?.replace(/^\uFEFF/, '').split(/\r\n?|\n/);
  if (runbook.cells.length === 0) {
    diagnostics.push({
      severity: 'warning', line: 1, column: 1, rule: 'no-cells',
      message: 'no executable cells: fence commands as ```sql, ```powershell or ```sh to make them runnable',
    });
  }
  for (const cell of runbook.cells) {
    for (const key of cell.unknownAttributes) {
      const meant = nearestAttribute(key);
      // A misspelt safety attribute is already an error from the parse (misspelt-attribute).
      if (meant && SAFETY_ATTRIBUTES.has(meant) && !(meant in cell.attributes)) continue;
      diagnostics.push({
        severity: 'warning', line: cell.line, column: cell.column, rule: 'unknown-attribute',
        message: RUNME_UNSUPPORTED.has(key)
          ? `attribute "${key}" on cell ${cell.id} is a Runme attribute this tool does not support; it is ignored (see "Runme documents" in the README)`
          : meant
            ? `unknown attribute "${key}" on cell ${cell.id}; did you mean "${meant}"?`
            : `unknown attribute "${key}" on cell ${cell.id}; known: ${KNOWN_ATTRIBUTES.join(', ')}`,
      });
    }
    if (cell.session) diagnostics.push(sessionDiagnostic(cell, cell.session));
    const runme = runmeDiagnostic(cell);
    if (runme) diagnostics.push(runme);
    const prompts = await promptDiagnostic(cell, runbook);
    if (prompts) diagnostics.push(prompts);
    if (cell.section.length === 0) {
      diagnostics.push({
        severity: 'warning', line: cell.line, column: cell.column, rule: 'no-heading',
        message: `cell ${cell.id} has no heading above it; add one so operators know what the step is for`,
      });
    }
    if (cell.lang === 'sql') {
      const problem = await sqlSyntaxError(cell.source);
      if (problem) diagnostics.push(sqlDiagnostic(cell, problem, lines));
      const breach = cell.attributes.readonly === true ? await readonlyBreach(cell.source) : undefined;
      if (breach) {
        diagnostics.push({
          severity: 'error', line: cell.sourceLine + breach.line - 1, column: 1, rule: 'readonly-breach',
          message: `cell ${cell.id} is marked readonly, but ${readonlyMessage(breach)}`,
        });
      }
    }
    diagnostics.push(...(await placeholderDiagnostics(cell)));
  }
  diagnostics.push(...environmentAsVariable(runbook, process.env));
  diagnostics.push(...(await seedDiagnostics(runbook.path)));
  return diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * The sandbox seed beside the runbook runs as the sandbox's superuser when the sandbox
 * starts: what in it reaches outside the database (COPY … PROGRAM, lo_*, dblink…; the judge
 * is sandbox/seed-review.ts, the same the sandbox asks with). A warning each, at the
 * runbook's first line with the seed's own line in the message (the seed is its own file).
 */
async function seedDiagnostics(runbookPath: string): Promise<Diagnostic[]> {
  const file = seedFileFor(runbookPath);
  if (!file) return [];
  // Loaded only for a runbook with a seed: the seed module holds pg.
  const { readSeed } = await import('./sandbox/seed.js');
  let review;
  try {
    review = await reviewSeed(readSeed(file));
  } catch {
    return [];
  }
  return review.reaches.map((reach) => ({
    severity: 'warning' as const, line: 1, column: 1, rule: 'seed-reach',
    message: `the sandbox seed ${file}:${reach.line} reaches outside the database: ${reach.why}; it runs as the sandbox's superuser, so the sandbox asks before running it (once per content) and an unattended run needs --trust-seed`,
  }));
}

/**
 * `psql $SUPABASE_DB_URL` in PowerShell reads a PowerShell variable, not the environment:
 * empty in the engineer's terminal, where `load_env.ps1` set only `$env:SUPABASE_DB_URL`.
 * Warned where no PowerShell cell of the runbook sets the variable and the environment (or
 * the frontmatter's `database:` / `variables:`) names it.
 */
function environmentAsVariable(runbook: Runbook, env: NodeJS.ProcessEnv): Diagnostic[] {
  const cells = runbook.cells.filter((cell) => cell.lang === 'powershell');
  const assigned = new Set(cells.flatMap((cell) => [...powershellAssignedNames(cell.source)]));
  let database: string | undefined;
  try {
    database = declaredDatabase(runbook)?.variable;
  } catch {
    database = undefined;
  }
  const named = [...Object.keys(env), ...(database ? [database] : []), ...runbook.variables.map((v) => v.name)];
  const found: Diagnostic[] = [];
  for (const cell of cells) {
    for (const { name, offset } of powershellVariableReads(cell.source)) {
      if (assigned.has(name.toLowerCase())) continue;
      const variable = named.find((n) => n === name) ?? named.find((n) => n.toLowerCase() === name.toLowerCase());
      if (variable === undefined) continue;
      const { line, column } = positionAt(cell.source, offset);
      found.push({
        severity: 'warning',
        line: cell.sourceLine + line - 1,
        column: (line === 1 ? cell.column : 1) + column - 1,
        rule: 'powershell-env-variable',
        message: `cell ${cell.id} reads $${name}, which no cell sets: in PowerShell that is a variable, not the environment, so it is empty (as in a terminal where only $env:${variable} is set); did you mean \`$env:${variable}\`?`,
      });
    }
  }
  return found;
}

/** Runme's `interactive` and `background`: say what the cell gets here where it is not what Runme gives. */
function runmeDiagnostic(cell: Cell): Diagnostic | undefined {
  const at = { severity: 'warning' as const, line: cell.line, column: cell.column, rule: 'runme-attribute' };
  if (cell.attributes.interactive === true) {
    return { ...at, message: `cell ${cell.id} is interactive: in the console it gets the terminal (its output is recorded as the terminal showed it); unattended runs give it no terminal and no input (stdin is /dev/null), so read, stty and prompts fail there: run it in the console, or drop interactive` };
  }
  // A shell cell in the background is started and not waited for (runner/background.ts); nothing to say.
  if (cell.attributes.background === true && cell.lang !== 'sh') {
    return { ...at, message: `cell ${cell.id} is marked background, which applies to shell cells only: this ${cell.lang === 'sql' ? 'SQL' : 'PowerShell'} cell runs in the foreground and the run waits for it` };
  }
  return undefined;
}

/** Prompted exports (promptEnv) an unattended run cannot fill from the line itself: it needs --var or the environment. */
async function promptDiagnostic(cell: Cell, runbook: Runbook): Promise<Diagnostic | undefined> {
  if (cell.lang !== 'sh') return undefined;
  const prompts = await planPrompts(cell, runbook, planInterpreter(cell, dirname(resolve(runbook.path)), process.env));
  const needed = prompts.filter((p) => p.kind !== 'default').map((p) => p.name);
  if (needed.length === 0) return undefined;
  return {
    severity: 'warning', line: cell.line, column: cell.column, rule: 'prompt-env',
    message: `cell ${cell.id} asks for ${needed.join(', ')} (its export lines, Runme's promptEnv): the console asks; an unattended run needs --var ${needed[0]}=… or ${needed[0]} in the environment, or promptEnv=no to run the lines as written`,
  };
}

function sessionDiagnostic(cell: Cell, session: NonNullable<Cell['session']>): Diagnostic {
  const commands = `${session.commands} command${session.commands === 1 ? '' : 's'}`;
  const output = session.outputLines === 0
    ? 'no output shown'
    : `${session.outputLines} line${session.outputLines === 1 ? '' : 's'} of output are not run`;
  return {
    severity: 'warning', line: cell.line, column: cell.column, rule: 'console-session',
    message: `cell ${cell.id} is a console session (prompt "${session.prompt}"): ${commands} run without the prompt, ${output}`,
  };
}

/**
 * Placeholders bound where the text is parsed again, errors the run refuses too: in SQL
 * (dollar-quoted bodies, query strings), in sh (`bash -c`, `eval`, `ssh host "…"`, an
 * unquoted heredoc read by psql or bash, an array subscript that takes a non-number…).
 */
async function placeholderDiagnostics(cell: Cell): Promise<Diagnostic[]> {
  if (cell.placeholders.length === 0) return [];
  const at = (offset: number) => {
    const { line, column } = positionAt(cell.source, offset);
    return { line: cell.sourceLine + line - 1, column: (line === 1 ? cell.column : 1) + column - 1 };
  };
  if (cell.lang === 'sql') {
    const found = [...reparsedPlaceholders(cell.source, cell.placeholders), ...(await reparsedCalls(cell.source, cell.placeholders))];
    const seen = new Set<number>();
    return found.filter((f) => !seen.has(f.offset) && seen.add(f.offset)).map((found) => ({
      severity: 'error' as const,
      ...at(found.offset),
      rule: 'placeholder-reparsed',
      message: `SQL in cell ${cell.id}: ${reparsedMessage(found, positionAt(cell.source, found.offset).line)}`,
    }));
  }
  if (cell.lang !== 'sh') return [];
  // The binder decides (sh/placeholders.ts); any integer-safe value shows where it refuses.
  try {
    bindSh(cell.source, cell.placeholders, { envName: (name) => `RUNBOOK_VAR_${name}`, valueOf: () => '0' });
  } catch (error) {
    if (!(error instanceof ShBindingRefusal)) return [];
    return [{ severity: 'error', ...at(error.offset), rule: 'placeholder-reparsed', message: `cell ${cell.id}: ${error.message}` }];
  }
  return [];
}

function sqlDiagnostic(cell: Cell, problem: { message: string; line: number; column: number }, lines?: string[]): Diagnostic {
  // A console session runs only its commands: map the command's line back to the fence.
  const writtenLine = cell.session ? cell.session.sourceLines[problem.line - 1] ?? problem.line : problem.line;
  const line = cell.sourceLine + writtenLine - 1;
  const sourceLine = cell.source.split('\n')[problem.line - 1] ?? '';
  const placeholder = placeholderAtColumn(sourceLine, problem.column);
  if (placeholder) {
    return {
      severity: 'warning', line, column: columnIn(sourceLine, line, problem.column, cell, lines), rule: 'sql-placeholder',
      message: `SQL in cell ${cell.id} can only be checked once <${placeholder}> has a value: it stands where SQL syntax goes (${problem.message})`,
    };
  }
  return {
    severity: 'error',
    line,
    column: columnIn(sourceLine, line, problem.column, cell, lines),
    rule: 'sql-syntax',
    message: `SQL in cell ${cell.id}: ${problem.message}${hint(sourceLine)}`,
  };
}

/** Why a line that is not SQL is in a SQL fence, when it is one of the usual reasons. */
function hint(line: string): string {
  const prompt = /^\s*([\w-]+)=[#>]/.exec(line);
  if (prompt) return `; this looks like a psql session (prompt "${prompt[0].trim()}"): keep only the SQL in the sql fence and put output in a text fence`;
  if (/^\s*\\[a-zA-Z]/.test(line)) return '; psql meta-commands (\\d, \\x, \\set…) are not SQL: move them to a sh fence that runs psql';
  const variable = /\$([A-Za-z_]\w*)(?![\w$])/.exec(line);
  if (variable) return `; $${variable[1]} is a shell variable, not SQL: write <${variable[1]}> for a value the operator supplies`;
  if (/<[^<>\n]*\s[^<>\n]*>|\.\.\./.test(line)) return '; is there an unfinished placeholder here? write <NAME> for a value the operator supplies';
  return '';
}

/** The document column of a column in a source line. */
function columnIn(sourceLine: string, line: number, column: number, cell: Cell, lines?: string[]): number {
  const documentLine = lines?.[line - 1];
  // The fence's container (list indentation, `> `, a console prompt) is a prefix of the document line.
  const prefix = documentLine !== undefined && documentLine.endsWith(sourceLine)
    ? documentLine.length - sourceLine.length
    : cell.column - 1;
  return prefix + column;
}

/** The placeholder the parser stopped at (or just after), if the error sits on one. */
function placeholderAtColumn(sourceLine: string, column: number): string | undefined {
  for (const match of sourceLine.matchAll(PLACEHOLDER)) {
    const start = match.index + 1;
    const end = start + match[0].length;
    // PostgreSQL reports the token after a misplaced one too: `EXPLAIN <q>;` fails at `;`.
    if (column >= start && column <= end + 1) return match[1];
  }
  return undefined;
}
