/**
 * A SQL cell → its statements, split by the real PostgreSQL parser, so `;` inside
 * dollar-quoted bodies, strings and comments never splits. A statement's leading
 * comment is its title.
 */
import { maskPlaceholders } from './mask.js';
import { positionAt, positioner } from '../document-position.js';

export { positionAt };
import { parseSql, SqlParseError, type ParsedStatement } from './pg-parser.js';

export interface Statement {
  /** The statement as it runs: without its leading comments, its `;` or trailing blanks. */
  text: string;
  /** Character offset of `text` in the cell's source. */
  offset: number;
  /** 1-based line of `text` within the cell. */
  line: number;
  /** 1-based column of `text` within its line. */
  column: number;
  /** The leading `--` or `/* *\/` comment, without its markers. */
  title?: string;
  /** The parse tree of the statement (libpg-query's JSON): what kind of statement it is. */
  node?: Record<string, unknown>;
}

/** A syntax error, placed within the cell (1-based line and column, character offset). */
export class SqlSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  constructor(message: string, sql: string, offset: number) {
    const { line, column } = positionAt(sql, offset);
    super(`${message} (line ${line}, column ${column} of the cell)`);
    this.name = 'SqlSyntaxError';
    this.line = line;
    this.column = column;
    this.offset = offset;
  }
}

/**
 * Parses a cell, tolerating `<NAME>` placeholders (as identifiers, else as literals).
 * Throws SqlSyntaxError with the position of the first error. The trees are shared (see
 * `parses`): callers only read them.
 */
export async function parseCellSql(sql: string): Promise<readonly ParsedStatement[]> {
  const kept = parses.get(sql);
  if (kept) {
    // Most recently used last, so the oldest goes first.
    parses.delete(sql);
    parses.set(sql, kept);
    return kept;
  }
  const statements = deepFreeze(await parseUncached(sql));
  keep(sql, statements);
  return statements;
}

/** Frozen to the leaves: a caller that wrote into a shared tree would change every later reader's; in strict code it throws instead. */
function deepFreeze<T>(value: T): T {
  const pending: unknown[] = [value];
  while (pending.length) {
    const next = pending.pop();
    if (next === null || typeof next !== 'object' || Object.isFrozen(next)) continue;
    Object.freeze(next);
    for (const key in next) pending.push((next as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * The last parses, by text: a run parses every SQL cell when it plans it (its effect with
 * PostgreSQL's built-in catalogue, then with the target's) and again when it runs it, the
 * same text three times; libpg-query's parse and the JSON of its tree cost ~0.04 ms a
 * statement. A tree takes ~30 bytes of heap per character of SQL, so the cache holds at
 * most PARSES_CHARS characters (~8 MB), least recently used out first.
 */
const parses = new Map<string, readonly ParsedStatement[]>();
const PARSES_CHARS = 256 * 1024;
let parsesChars = 0;

function keep(sql: string, statements: readonly ParsedStatement[]): void {
  if (sql.length > PARSES_CHARS) return;
  // Two parses of one text can be in flight at once: count it once.
  if (parses.delete(sql)) parsesChars -= sql.length;
  parses.set(sql, statements);
  parsesChars += sql.length;
  for (const oldest of parses.keys()) {
    if (parsesChars <= PARSES_CHARS) break;
    parses.delete(oldest);
    parsesChars -= oldest.length;
  }
}

async function parseUncached(sql: string): Promise<ParsedStatement[]> {
  const literalAt = new Set<number>();
  for (;;) {
    const masked = maskPlaceholders(sql, literalAt);
    try {
      return await parseSql(masked.text);
    } catch (error) {
      if (!(error instanceof SqlParseError)) throw error;
      // The parser stopped at a stand-in identifier: try that one as a literal instead.
      const spot = masked.spots.find((at) => at === error.offset && !literalAt.has(at));
      if (spot === undefined) throw new SqlSyntaxError(error.message, sql, error.offset);
      literalAt.add(spot);
    }
  }
}

/** The statements of a cell in order. Throws SqlSyntaxError when the SQL does not parse. */
export async function splitStatements(sql: string): Promise<Statement[]> {
  if (sql.trim() === '') return [];
  const parsed = await parseCellSql(sql);
  const place = positioner(sql);
  const statements: Statement[] = [];
  for (const { start, end, stmt } of parsed) {
    const { titles, bodyStart } = leadingComments(sql, start, end);
    const text = sql.slice(bodyStart, end).replace(/[\s;]+$/, '');
    if (text === '') continue;
    const statement: Statement = { text, offset: bodyStart, ...place(bodyStart), node: stmt };
    if (titles.length > 0) statement.title = titles.join(' ');
    statements.push(statement);
  }
  return statements;
}

/** The first syntax error in a cell, placed within the cell; undefined when it parses. */
export async function sqlSyntaxError(sql: string): Promise<{ message: string; line: number; column: number } | undefined> {
  if (sql.trim() === '') return undefined;
  try {
    await parseCellSql(sql);
    return undefined;
  } catch (error) {
    if (!(error instanceof SqlSyntaxError)) throw error;
    return { message: error.message.replace(/ \(line \d+, column \d+ of the cell\)$/, ''), line: error.line, column: error.column };
  }
}

function leadingComments(sql: string, start: number, end: number): { titles: string[]; bodyStart: number } {
  const titles: string[] = [];
  let at = start;
  for (;;) {
    while (at < end && /\s/.test(sql[at]!)) at += 1;
    if (sql.startsWith('--', at)) {
      const close = sql.indexOf('\n', at);
      const stop = close < 0 || close > end ? end : close;
      titles.push(sql.slice(at + 2, stop).trim());
      at = stop;
    } else if (sql.startsWith('/*', at)) {
      const stop = blockCommentEnd(sql, at, end);
      titles.push(sql.slice(at + 2, stop - 2).replace(/\s+/g, ' ').trim());
      at = stop;
    } else break;
  }
  return { titles: titles.filter((title) => title !== ''), bodyStart: at };
}

function blockCommentEnd(sql: string, from: number, limit: number): number {
  let depth = 0;
  let at = from;
  while (at < limit) {
    if (sql.startsWith('/*', at)) {
      depth += 1;
      at += 2;
    } else if (sql.startsWith('*/', at)) {
      depth -= 1;
      at += 2;
      if (depth === 0) return at;
    } else at += 1;
  }
  return limit;
}
