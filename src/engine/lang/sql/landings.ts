/**
 * The binder's lexer is hand-written; PostgreSQL's is the truth. After binding, the bound
 * text goes through the server's own scanner (libpg-query's scan.l), and every value must
 * sit in exactly the token the binder wrote for it: a string constant that starts and ends
 * where the binder's `'…'`/`E'…'` does, or a quoted identifier. Anything else (a string the
 * server continues across a line break, `E'…'` then `'\' …` on the next line; a bit string;
 * text the server cannot scan) means the two lexers disagree, and the value could run as
 * SQL: the cell is refused before anything runs.
 */
import { InputError } from '../../errors.js';
import { lineAt } from '../../placeholders/names.js';
import { scanSql, SqlParseError, type ScannedToken } from './pg-parser.js';
import type { Landing } from './placeholders.js';

/** Throws an InputError (one line: what, where, what to do) unless the scanner agrees with every landing. */
export async function checkLandings(bound: string, landings: readonly Landing[], source: string): Promise<void> {
  const problem = await landingProblem(bound, landings, source);
  if (problem) throw new InputError(problem.message);
}

/** The first value the scanner does not see where the binder put it: its placeholder's offset in the source, and the message. */
export async function landingProblem(bound: string, landings: readonly Landing[], source: string): Promise<{ at: number; message: string } | undefined> {
  if (landings.length === 0) return undefined;
  let tokens: ScannedToken[];
  try {
    tokens = await scanSql(bound);
  } catch (error) {
    if (!(error instanceof SqlParseError)) throw error;
    const first = landings[0]!;
    return { at: first.at, message: `<${first.name}> at line ${lineAt(source, first.at)} of the cell cannot be bound: ${error.message} once the values are in; close it, then run again` };
  }
  const byStart = new Map(tokens.map((token) => [token.start, token]));
  for (const landing of landings) {
    const token = byStart.get(landing.start);
    if (token && token.end === landing.end && fits(token, landing, bound)) continue;
    const around = tokens.find((t) => t.start <= landing.start && landing.start < t.end);
    return {
      at: landing.at,
      message:
        `<${landing.name}> at line ${lineAt(source, landing.at)} of the cell: PostgreSQL ${seenAs(around, bound)}, not where the binder put the value, so the value could run as SQL; ` +
        "write the placeholder alone (<NAME>) or in one plain '…' string that is not continued on the next line",
    };
  }
  return undefined;
}

function fits(token: ScannedToken, landing: Landing, bound: string): boolean {
  return landing.kind === 'literal' ? token.kind === 'SCONST' && bound[token.start] !== '$' : token.kind === 'IDENT' && bound[token.start] === '"';
}

function seenAs(token: ScannedToken | undefined, bound: string): string {
  if (!token) return 'cuts the text around it into other tokens';
  if (token.kind === 'SQL_COMMENT' || token.kind === 'C_COMMENT') return 'reads it inside a comment';
  if (token.kind === 'SCONST' && /\n/.test(bound.slice(token.start, token.end))) return 'reads it inside a string continued across a line break (PostgreSQL joins \'…\' on the next line onto the string before, with its E escapes)';
  if (/CONST$/.test(token.kind) || token.kind === 'UNKNOWN') return `reads it inside the constant ${JSON.stringify(bound.slice(token.start, Math.min(token.end, token.start + 40)))}`;
  return 'cuts the text around it into other tokens';
}
