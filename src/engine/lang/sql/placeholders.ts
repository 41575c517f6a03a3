/**
 * Binds `<NAME>` placeholders in SQL as quoted literals, never as pasted text.
 * A small lexer tells code from strings, quoted identifiers, dollar-quoted bodies and
 * comments, because each needs its own escaping:
 * - code: `<N>` → `'value'` (pg's escapeLiteral rules: `''`, and `E'…'` with `\\` when needed);
 * - `'<N>'` as a whole string → the same literal; inside a longer string the value is
 *   escaped for that string (`'x-<N>'` → `'x-va''lue'`), switching to `E'…'` if the value
 *   holds a backslash so the result does not depend on `standard_conforming_strings`;
 * - `"…<N>…"` (an identifier) → the value with `""` doubled;
 * - `$tag$…$tag$` bodies (DO blocks, functions) and query strings given to ts_stat(),
 *   dblink() and the like are parsed again by the server: a placeholder there is refused
 *   (see sql/reparsed.ts; such a body reads `current_setting('runbook.<name>')`);
 * - comments are left alone: a value with a newline could otherwise end a `--` comment.
 * This lexer is checked, not trusted: each bound value's token is recorded (a Landing) and
 * the run asks PostgreSQL's own scanner whether it sees that very token (sql/landings.ts).
 */
import { InputError } from '../../errors.js';
import { lineAt, longestFirst, placeholderAt, valueOf } from '../../placeholders/names.js';
import { reparsedMessage, reparsedPlaceholders } from './reparsed.js';

interface Scope {
  full: string;
  names: string[];
  values: Record<string, string>;
  /** Offset of the text being scanned within the full source, for line numbers. */
  base: number;
  /** Closing delimiters of the dollar-quoted bodies around the text. */
  tags: string[];
  /** Offset of the text being built within the whole bound output. */
  outBase: number;
  /** Where each bound value landed, in the output. */
  landings: Landing[];
}

/** A token the binder wrote around a value: `'…'`/`E'…'` (a literal) or `"…"` (an identifier). */
export interface Landing {
  name: string;
  kind: 'literal' | 'identifier';
  /** Character range of the whole token in the bound output. */
  start: number;
  end: number;
  /** Offset of the placeholder in the source, for the message. */
  at: number;
}

export function bindSql(source: string, names: readonly string[], values: Record<string, string>): string {
  return bindSqlLandings(source, names, values).text;
}

/** bindSql, with the token each value landed in (see sql/landings.ts). */
export function bindSqlLandings(source: string, names: readonly string[], values: Record<string, string>): { text: string; landings: Landing[] } {
  if (names.length === 0) return { text: source, landings: [] };
  const reparsed = reparsedPlaceholders(source, names)[0];
  if (reparsed) throw new InputError(reparsedMessage(reparsed, lineAt(source, reparsed.offset)));
  const landings: Landing[] = [];
  const text = bindCode(source, { full: source, names: longestFirst(names), values, base: 0, tags: [], outBase: 0, landings });
  return { text, landings };
}

/** PostgreSQL's escapeLiteral: quotes doubled; backslashes doubled under an `E` prefix. */
export function quoteLiteral(value: string): string {
  const hasBackslash = value.includes('\\');
  const body = value.replace(/'/g, "''").replace(/\\/g, '\\\\');
  return hasBackslash ? `E'${body}'` : `'${body}'`;
}

const IDENT_CHAR = /[\w$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/;

function bindCode(text: string, scope: Scope): string {
  let out = '';
  let at = 0;
  while (at < text.length) {
    const char = text[at]!;
    const next = text[at + 1];
    const before = text[at - 1] ?? '';
    let end: number;
    if (char === '-' && next === '-') {
      end = text.indexOf('\n', at);
      end = end < 0 ? text.length : end;
      out += text.slice(at, end);
    } else if (char === '/' && next === '*') {
      end = blockCommentEnd(text, at);
      out += text.slice(at, end);
    } else if (unterminated(text, at, before)) {
      // The server will report the unterminated literal; nothing here can be bound safely.
      end = text.length;
      out += text.slice(at);
    } else if ((char === 'E' || char === 'e') && next === "'" && !IDENT_CHAR.test(before)) {
      end = quotedEnd(text, at + 1, "'", true);
      out += bindString(text, at + 2, end - 1, true, scope, out);
    } else if (char === "'") {
      end = quotedEnd(text, at, "'", false);
      if (/u&$/i.test(text.slice(Math.max(0, at - 2), at)) && hasPlaceholder(text, at, end, scope)) {
        throw new InputError(`placeholder inside a U&'…' string at line ${lineAt(scope.full, scope.base + at)} cannot be bound: use a plain '…' string`);
      }
      out += bindString(text, at + 1, end - 1, false, scope, out);
    } else if (char === '"') {
      end = quotedEnd(text, at, '"', false);
      const identifier = `"${replaceIn(text, at + 1, end - 1, scope, (v) => v.replace(/"/g, '""'))}"`;
      land(scope, placeholdersIn(text, at + 1, end - 1, scope)[0], 'identifier', out.length, identifier, at);
      out += identifier;
    } else if (char === '$' && !IDENT_CHAR.test(before) && DOLLAR_TAG.test(text.slice(at, at + 64))) {
      const tag = DOLLAR_TAG.exec(text.slice(at, at + 64))![0];
      const close = text.indexOf(tag, at + tag.length);
      const bodyEnd = close < 0 ? text.length : close;
      const body = bindCode(text.slice(at + tag.length, bodyEnd), {
        ...scope,
        base: scope.base + at + tag.length,
        tags: [...scope.tags, tag],
        outBase: scope.outBase + out.length + tag.length,
      });
      out += tag + body + (close < 0 ? '' : tag);
      end = close < 0 ? text.length : close + tag.length;
    } else {
      const name = placeholderAt(text, at, scope.names);
      if (name === undefined) {
        out += char;
        at++;
        continue;
      }
      const literal = guard(quoteLiteral(valueOf(name, scope.values)), name, at, scope);
      out += IDENT_CHAR.test(out.at(-1) ?? '') ? ' ' : '';
      land(scope, name, 'literal', out.length, literal, at);
      out += literal;
      end = at + name.length + 2;
    }
    at = end;
  }
  return out;
}

/** A string literal whose body is text[from, to): the literal as bound, prefix included. */
function bindString(text: string, from: number, to: number, escapes: boolean, scope: Scope, out: string): string {
  const space = IDENT_CHAR.test(out.at(-1) ?? '') ? ' ' : '';
  const bound = bindStringBody(text, from, to, escapes, scope, space);
  const lead = bound.startsWith(' ') ? 1 : 0;
  land(scope, placeholdersIn(text, from, to, scope)[0], 'literal', out.length + lead, bound.slice(lead), from);
  return bound;
}

/** Records where a value was bound: the token written at `start` (in the text being built). */
function land(scope: Scope, name: string | undefined, kind: Landing['kind'], start: number, token: string, at: number): void {
  if (name === undefined) return;
  scope.landings.push({ name, kind, start: scope.outBase + start, end: scope.outBase + start + token.length, at: scope.base + at });
}

function bindStringBody(text: string, from: number, to: number, escapes: boolean, scope: Scope, space: string): string {
  const whole = placeholderAt(text, from, scope.names);
  if (whole !== undefined && from + whole.length + 2 === to) {
    return space + guard(quoteLiteral(valueOf(whole, scope.values)), whole, from, scope);
  }
  const prefix = escapes ? "E'" : "'";
  if (!hasPlaceholder(text, from, to, scope)) return prefix + text.slice(from, to) + "'";
  const needsEscapes = escapes || placeholdersIn(text, from, to, scope).some((name) => valueOf(name, scope.values).includes('\\'));
  if (!needsEscapes) return `'${replaceIn(text, from, to, scope, (v) => v.replace(/'/g, "''"))}'`;
  // A standard string turned into E'…': its own backslashes were literal, so they double too.
  const literalPart = escapes ? (s: string) => s : (s: string) => s.replace(/\\/g, '\\\\');
  const body = replaceIn(text, from, to, scope, (v) => v.replace(/\\/g, '\\\\').replace(/'/g, "''"), literalPart);
  return `${space}E'${body}'`;
}

function replaceIn(
  text: string,
  from: number,
  to: number,
  scope: Scope,
  escapeValue: (value: string) => string,
  escapeLiteralPart: (part: string) => string = (s) => s,
): string {
  let out = '';
  let literalStart = from;
  for (let at = from; at < to; at++) {
    const name = placeholderAt(text, at, scope.names);
    if (name === undefined || at + name.length + 2 > to) continue;
    out += escapeLiteralPart(text.slice(literalStart, at)) + guard(escapeValue(valueOf(name, scope.values)), name, at, scope);
    at += name.length + 1;
    literalStart = at + 1;
  }
  return out + escapeLiteralPart(text.slice(literalStart, to));
}

function placeholdersIn(text: string, from: number, to: number, scope: Scope): string[] {
  const found: string[] = [];
  for (let at = from; at < to; at++) {
    const name = placeholderAt(text, at, scope.names);
    if (name !== undefined && at + name.length + 2 <= to) found.push(name);
  }
  return found;
}

function hasPlaceholder(text: string, from: number, to: number, scope: Scope): boolean {
  return placeholdersIn(text, from, to, scope).length > 0;
}

/** A bound value must not end an enclosing dollar-quoted body, nor carry a NUL byte. */
function guard(inserted: string, name: string, at: number, scope: Scope): string {
  const where = `line ${lineAt(scope.full, scope.base + at)}`;
  if (inserted.includes('\0')) throw new InputError(`the value of <${name}> contains a NUL byte, which PostgreSQL cannot take (${where})`);
  const tag = scope.tags.find((t) => inserted.includes(t));
  if (tag) {
    throw new InputError(`the value of <${name}> contains ${tag}, which would end the dollar-quoted body it is bound into (${where}); change the value or the body's quote tag`);
  }
  return inserted;
}

/** End (exclusive) of the quoted token opened at `open`, or -1 when it never closes. */
function quotedEnd(text: string, open: number, quote: string, backslashEscapes: boolean): number {
  let at = open + 1;
  while (at < text.length) {
    const char = text[at];
    if (backslashEscapes && char === '\\') at += 2;
    else if (char === quote && text[at + 1] === quote) at += 2;
    else if (char === quote) return at + 1;
    else at++;
  }
  return -1;
}

/** A string or identifier that opens at `at` and never closes. */
function unterminated(text: string, at: number, before: string): boolean {
  const char = text[at];
  if ((char === 'E' || char === 'e') && text[at + 1] === "'" && !IDENT_CHAR.test(before)) return quotedEnd(text, at + 1, "'", true) < 0;
  if (char === "'" || char === '"') return quotedEnd(text, at, char, false) < 0;
  return false;
}

function blockCommentEnd(text: string, open: number): number {
  let depth = 0;
  let at = open;
  while (at < text.length) {
    if (text[at] === '/' && text[at + 1] === '*') {
      depth++;
      at += 2;
    } else if (text[at] === '*' && text[at + 1] === '/') {
      depth--;
      at += 2;
      if (depth === 0) return at;
    } else at++;
  }
  return text.length;
}
