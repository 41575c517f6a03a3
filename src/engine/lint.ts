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
import { planInterpreter, planPrompts } from './plan/index.js';
import { dirname, resolve } from 'node:path';
import { seedFileFor } from './target.js';
import { reviewSeed } from './sandbox/seed-review.js';
import type { Cell, Diagnostic, Runbook } from './runbook.js';
import { languageOf, LANGUAGES } from './lang/language.js';
import { declaredDatabase } from './target-choice.js';


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
    // The language's own findings: SQL the parser rejects, a placeholder bound where the text is parsed again…
    diagnostics.push(...((await languageOf(cell).lint?.(cell, lines)) ?? []));
  }
  const named = knownVariables(runbook, process.env);
  for (const language of LANGUAGES) diagnostics.push(...((await language.lintRunbook?.(runbook, named)) ?? []));
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


/** The variables known outside the cells: the environment's, the frontmatter's `database:` and `variables:`. */
function knownVariables(runbook: Runbook, env: NodeJS.ProcessEnv): string[] {
  let database: string | undefined;
  try {
    database = declaredDatabase(runbook)?.variable;
  } catch {
    database = undefined;
  }
  return [...Object.keys(env), ...(database ? [database] : []), ...runbook.variables.map((v) => v.name)];
}

/** Runme's `interactive` and `background`: say what the cell gets here where it is not what Runme gives. */
function runmeDiagnostic(cell: Cell): Diagnostic | undefined {
  const at = { severity: 'warning' as const, line: cell.line, column: cell.column, rule: 'runme-attribute' };
  if (cell.attributes.interactive === true) {
    return { ...at, message: `cell ${cell.id} is interactive: in the console it gets the terminal (its output is recorded as the terminal showed it); unattended runs give it no terminal and no input (stdin is /dev/null), so read, stty and prompts fail there: run it in the console, or drop interactive` };
  }
  // A shell cell in the background is started and not waited for (runner/background.ts); nothing to say.
  const language = languageOf(cell);
  if (cell.attributes.background === true && !language.runme) {
    return { ...at, message: `cell ${cell.id} is marked background, which applies to shell cells only: this ${language.title} cell runs in the foreground and the run waits for it` };
  }
  return undefined;
}

/** Prompted exports (promptEnv) an unattended run cannot fill from the line itself: it needs --var or the environment. */
async function promptDiagnostic(cell: Cell, runbook: Runbook): Promise<Diagnostic | undefined> {
  if (!languageOf(cell).runme) return undefined;
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


