/**
 * What lint finds in a SQL cell: SQL the real PostgreSQL parser rejects (at its line and
 * column in the document, or a warning where a placeholder stands for syntax), a `readonly`
 * cell that could leave its READ ONLY transaction, a placeholder bound where the text is
 * parsed again (a dollar-quoted body, a query string), and one PostgreSQL's scanner would
 * not see where the binder puts it (sql/landings.ts): errors the run refuses too.
 */
import { PLACEHOLDER } from '../../placeholders/names.js';
import type { Cell, Diagnostic } from '../../runbook.js';
import { documentAt, documentLine, positionAt } from '../document-position.js';
import { readonlyBreach, readonlyMessage } from './readonly.js';
import { reparsedCalls, reparsedMessage, reparsedPlaceholders } from './reparsed.js';
import { sqlSyntaxError } from './statements.js';
import { bindSqlLandings } from './placeholders.js';
import { landingProblem } from './landings.js';

export async function lintSqlCell(cell: Cell, lines?: string[]): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  const problem = await sqlSyntaxError(cell.source);
  if (problem) diagnostics.push(sqlDiagnostic(cell, problem, lines));
  const breach = cell.attributes.readonly === true ? await readonlyBreach(cell.source) : undefined;
  if (breach) {
    diagnostics.push({
      severity: 'error', line: documentLine(cell, breach.line), column: 1, rule: 'readonly-breach',
      message: `cell ${cell.id} is marked readonly, but ${readonlyMessage(breach)}`,
    });
  }
  if (cell.placeholders.length === 0) return diagnostics;
  const found = [...reparsedPlaceholders(cell.source, cell.placeholders), ...(await reparsedCalls(cell.source, cell.placeholders))];
  const seen = new Set<number>();
  for (const each of found.filter((f) => !seen.has(f.offset) && seen.add(f.offset))) {
    diagnostics.push({
      severity: 'error',
      ...documentAt(cell, each.offset),
      rule: 'placeholder-reparsed',
      message: `SQL in cell ${cell.id}: ${reparsedMessage(each, positionAt(cell.source, each.offset).line)}`,
    });
  }
  if (found.length === 0 && !problem) {
    // Where PostgreSQL's scanner would cut the text otherwise than the binder, whatever the value (a string continued on the next line).
    const unbound = await unbindable(cell);
    if (unbound) diagnostics.push({ severity: 'error', ...documentAt(cell, unbound.at), rule: 'placeholder-unbindable', message: `SQL in cell ${cell.id}: ${unbound.message}` });
  }
  return diagnostics;
}

async function unbindable(cell: Cell): Promise<{ at: number; message: string } | undefined> {
  let bound;
  try {
    bound = bindSqlLandings(cell.source, cell.placeholders, Object.fromEntries(cell.placeholders.map((name) => [name, 'v'])));
  } catch {
    return undefined; // what the binder itself refuses is reported by the checks above or by the run
  }
  return landingProblem(bound.text, bound.landings, cell.source);
}

function sqlDiagnostic(cell: Cell, problem: { message: string; line: number; column: number }, lines?: string[]): Diagnostic {
  // A console session runs only its commands: the command's line maps back to the fence's.
  const line = documentLine(cell, problem.line);
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
