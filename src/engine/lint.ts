/**
 * What `runbook lint` finds. Errors: SQL the real PostgreSQL parser rejects (at its line
 * and column in the document), duplicate cell names, fences that never close. Warnings:
 * unknown attribute keys, cells with no heading above them, unreadable attributes.
 */
import { KNOWN_ATTRIBUTES } from './markdown/attributes.js';
import type { Cell, Diagnostic, Runbook } from './runbook.js';
import { sqlSyntaxError } from './sql/statements.js';

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
      diagnostics.push({
        severity: 'warning', line: cell.line, column: cell.column, rule: 'unknown-attribute',
        message: `unknown attribute "${key}" on cell ${cell.id}; known: ${KNOWN_ATTRIBUTES.join(', ')}`,
      });
    }
    if (cell.section.length === 0) {
      diagnostics.push({
        severity: 'warning', line: cell.line, column: cell.column, rule: 'no-heading',
        message: `cell ${cell.id} has no heading above it; add one so operators know what the step is for`,
      });
    }
    if (cell.lang === 'sql') {
      const problem = await sqlSyntaxError(cell.source);
      if (problem) diagnostics.push(sqlDiagnostic(cell, problem, lines));
    }
  }
  return diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
}

function sqlDiagnostic(cell: Cell, problem: { message: string; line: number; column: number }, lines?: string[]): Diagnostic {
  const line = cell.sourceLine + problem.line - 1;
  const sourceLine = cell.source.split('\n')[problem.line - 1] ?? '';
  const documentLine = lines?.[line - 1];
  // The fence's container (list indentation, `> `) is a prefix of the document line.
  const prefix = documentLine !== undefined && documentLine.endsWith(sourceLine)
    ? documentLine.length - sourceLine.length
    : cell.column - 1;
  return {
    severity: 'error',
    line,
    column: prefix + problem.column,
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
  if (/<[A-Za-z_][\w-]*>|\.\.\./.test(line)) return '; is there an unfinished placeholder here? write <NAME> for a value the operator supplies';
  return '';
}
