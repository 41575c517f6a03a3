/**
 * The real PostgreSQL parser (libpg-query, WASM), loaded on first use so commands that
 * see no SQL never pay for it. Positions come back in UTF-8 bytes; callers get characters.
 */
import { sqlRegions } from './lexer.js';
import { storeAnswer, storedAnswer, type ParserAnswer } from './parse-store.js';

export interface ParsedStatement {
  stmt: Record<string, unknown>;
  /** Character offsets of the statement in the text (from the end of the previous `;`). */
  start: number;
  end: number;
}

export class SqlParseError extends Error {
  /** Character offset in the text where the parser stopped. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'SqlParseError';
    this.offset = offset;
  }
}

type ParseSync = (sql: string) => { stmts?: { stmt: Record<string, unknown>; stmt_location?: number; stmt_len?: number }[] };
type ScanSync = (sql: string) => { tokens: { start: number; end: number; tokenName: string }[] };
let parser: Promise<{ parseSync: ParseSync; scanSync: ScanSync }> | undefined;

function loadParser(): Promise<{ parseSync: ParseSync; scanSync: ScanSync }> {
  // V8 compiles WASM with its baseline compiler (Liftoff), then recompiles the hot
  // functions of libpg-query's 1.7 MB module with TurboFan: ~170 ms of CPU after
  // `runbook list` has done its work, which more than doubled its run time. Runbook cells
  // are small, so Liftoff's code is fast enough; it must be set before the module compiles.
  // (--no-wasm-tier-up was measured too and does not remove the tail on Node 20.)
  // node:v8 is imported here, not at the top: a run whose SQL answers are all kept (parse-store.ts) never loads it.
  parser ??= import('node:v8').then((v8) => {
    v8.setFlagsFromString('--liftoff-only');
    return import('libpg-query');
  }).then(async (module) => {
    await module.loadModule();
    return { parseSync: module.parseSync as ParseSync, scanSync: module.scanSync as ScanSync };
  });
  return parser;
}

type Tree = ReturnType<ParseSync>;
type Tokens = ReturnType<ScanSync>['tokens'];

/**
 * The parser's answer for `text`: kept from an earlier run (parse-store.ts), else asked of
 * libpg-query (loaded then, not before) and kept. A syntax error is an answer too.
 */
async function answerOf<T>(kind: 'parse' | 'scan', text: string, ask: (parser: { parseSync: ParseSync; scanSync: ScanSync }) => T): Promise<ParserAnswer<T>> {
  // Once the parser is loaded, asking it (~0.04 ms) is cheaper than a file.
  const kept = parser === undefined ? storedAnswer<T>(kind, text) : undefined;
  if (kept) return kept;
  const loaded = await loadParser();
  let answer: ParserAnswer<T>;
  try {
    answer = { ok: ask(loaded) };
  } catch (error) {
    const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    answer = { error: { message: (error as Error).message, ...(details?.cursorPosition !== undefined ? { cursor: details.cursorPosition } : {}) } };
    // Kept only when it is the parser's verdict on the text (a syntax error with its position;
    // the scanner's error, which reaches us as its unparsable JSON), never a failure of the moment.
    const verdict = details !== undefined || (kind === 'scan' && error instanceof SyntaxError);
    if (!verdict) return answer;
  }
  storeAnswer(kind, text, answer);
  return answer;
}

/** One token as PostgreSQL's own scanner (scan.l) cuts it, in character offsets. */
export interface ScannedToken {
  /** `SCONST` (any string constant: '…', E'…' with its continuations, $$…$$), `IDENT` (plain or "quoted"), `SQL_COMMENT`, `C_COMMENT`, … */
  kind: string;
  start: number;
  end: number;
}

/**
 * The tokens of SQL as the server's lexer sees them (standard_conforming_strings on, its
 * default). Throws SqlParseError when the text does not scan (an unterminated string).
 */
export async function scanSql(sql: string): Promise<ScannedToken[]> {
  // libpg-query copies each token's text into JSON without escaping control characters,
  // which then does not parse. A blank in their place lexes the same inside strings,
  // identifiers and comments, and in code can only join more (never fewer) strings.
  // eslint-disable-next-line no-control-regex
  const scannable = sql.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, ' ');
  const answer = await answerOf<Tokens>('scan', scannable, (parser) => parser.scanSync(scannable).tokens ?? []);
  // Its one lexical error: a string, quoted identifier or comment that never closes.
  if ('error' in answer) throw new SqlParseError('the SQL does not scan: a string, quoted identifier or comment never closes', sql.length);
  const tokens = answer.ok;
  const toChar = byteToCharOffsets(sql);
  return tokens.map((token) => ({ kind: token.tokenName, start: toChar(token.start), end: toChar(token.end) }));
}

/** Parses SQL into statements with character ranges; throws SqlParseError on a syntax error. */
export async function parseSql(sql: string): Promise<ParsedStatement[]> {
  const toChar = byteToCharOffsets(sql);
  const answer = await answerOf<Tree>('parse', sql, (parser) => parser.parseSync(sql));
  if ('error' in answer) throw new SqlParseError(answer.error.message, toChar(Math.max(0, answer.error.cursor ?? 0)));
  const tree = answer.ok;
  const bytes = Buffer.byteLength(sql, 'utf8');
  let previousEnd = 0;
  return (tree.stmts ?? []).map((entry, index) => {
    const startByte = entry.stmt_location ?? 0;
    const endByte = entry.stmt_len ? startByte + entry.stmt_len : bytes;
    // PostgreSQL 18 places a statement after its leading comments; a statement here starts
    // right after the previous `;`, so its leading comment (its title) is part of it.
    const start = index === 0 ? 0 : afterLastSemicolon(sql, previousEnd, toChar(startByte));
    previousEnd = toChar(endByte);
    return { stmt: entry.stmt, start, end: previousEnd };
  });
}

/** Just after the last `;` outside comments in sql[from, to) (only blanks, comments and `;` lie there). */
function afterLastSemicolon(sql: string, from: number, to: number): number {
  let after = from;
  for (const region of sqlRegions(sql.slice(from, to))) {
    if (region.kind !== 'code') continue;
    const semicolon = sql.lastIndexOf(';', from + region.end - 1);
    if (semicolon >= from + region.start) after = semicolon + 1;
  }
  return after;
}

/** Maps a UTF-8 byte offset to a UTF-16 character offset; identity for ASCII text. */
function byteToCharOffsets(text: string): (byte: number) => number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return (byte) => Math.min(byte, text.length);
  const charAt: number[] = [];
  let char = 0;
  for (const symbol of text) {
    const width = Buffer.byteLength(symbol, 'utf8');
    for (let i = 0; i < width; i += 1) charAt.push(char);
    char += symbol.length;
  }
  charAt.push(char);
  return (byte) => charAt[Math.min(byte, charAt.length - 1)]!;
}
