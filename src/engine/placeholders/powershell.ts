/**
 * Binds `<NAME>` placeholders in PowerShell as `${env:NAME}` references; the value travels
 * in the environment and is never parsed as code.
 * - in code, in `"…"` and in `@"…"@`: `${env:NAME}` (in argument mode a bareword such as
 *   `migrations/<timestamp>_rollback.sql` stays one argument: `migrations/${env:timestamp}_rollback.sql`);
 * - `'…'` and `@'…'@` cannot expand anything, so a literal holding a placeholder is
 *   rewritten as the equivalent expandable string with its own text escaped (`` ` ``, `$`, `"`);
 * - comments (`#…`, `<#…#>`) stay as written.
 */
import { longestFirst, placeholderAt } from './names.js';

type Frame = { kind: 'code'; closer?: ')'; depth: number } | { kind: 'dq' };

const WORD_START = /[\s;|(){}]/;

export function bindPowerShell(source: string, names: readonly string[], envName: (name: string) => string): string {
  if (names.length === 0) return source;
  const sorted = longestFirst(names);
  const ref = (name: string) => `\${env:${envName(name)}}`;
  const stack: Frame[] = [{ kind: 'code', depth: 0 }];
  let out = '';
  let at = 0;
  while (at < source.length) {
    const frame = stack.at(-1)!;
    const char = source[at]!;
    const name = placeholderAt(source, at, sorted);
    if (name !== undefined) {
      out += ref(name);
      at += name.length + 2;
      continue;
    }
    if (char === '`') {
      out += source.slice(at, at + 2);
      at += 2;
      continue;
    }
    if (frame.kind === 'dq') {
      if (char === '"' && source[at + 1] === '"') {
        out += '""';
        at += 2;
        continue;
      }
      if (char === '"') stack.pop();
      else if (char === '$' && source[at + 1] === '(') {
        stack.push({ kind: 'code', closer: ')', depth: 0 });
        out += '$(';
        at += 2;
        continue;
      }
      out += char;
      at++;
      continue;
    }
    const hereString = /^@(['"])[ \t]*\r?\n/.exec(source.slice(at, at + 8));
    if (hereString) {
      const quote = hereString[1]!;
      const close = new RegExp(`\\n${quote}@`).exec(source.slice(at));
      const end = close ? at + close.index + close[0].length : source.length;
      const text = source.slice(at, end);
      out += quote === '"' ? replaceAll(text, sorted, ref) : literalHereString(text, sorted, ref);
      at = end;
    } else if (char === '<' && source[at + 1] === '#') {
      const close = source.indexOf('#>', at + 2);
      const end = close < 0 ? source.length : close + 2;
      out += source.slice(at, end);
      at = end;
    } else if (char === '#' && (at === 0 || WORD_START.test(source[at - 1]!))) {
      const close = source.indexOf('\n', at);
      const end = close < 0 ? source.length : close;
      out += source.slice(at, end);
      at = end;
    } else if (char === "'") {
      const end = singleQuotedEnd(source, at);
      out += end < 0 ? source.slice(at) : singleQuoted(source.slice(at + 1, end - 1), sorted, ref);
      at = end < 0 ? source.length : end;
    } else if (char === '"') {
      stack.push({ kind: 'dq' });
      out += char;
      at++;
    } else {
      if (frame.closer === ')' && char === '(') frame.depth++;
      if (frame.closer === ')' && char === ')' && frame.depth-- === 0) stack.pop();
      out += char;
      at++;
    }
  }
  return out;
}

/** `'it''s <N>'` → `"it's ${env:N}"`; a literal without placeholders stays as written. */
function singleQuoted(body: string, sorted: string[], ref: (name: string) => string): string {
  if (!hasPlaceholder(body, sorted)) return `'${body}'`;
  return `"${replaceAll(body, sorted, ref, (text) => escapeExpandable(text.replace(/''/g, "'")))}"`;
}

function literalHereString(text: string, sorted: string[], ref: (name: string) => string): string {
  if (!hasPlaceholder(text, sorted)) return text;
  const open = /^@'[ \t]*\r?\n/.exec(text)![0];
  const closes = /\n'@$/.test(text);
  const body = text.slice(open.length, closes ? text.length - 3 : text.length);
  return `@"${open.slice(2)}${replaceAll(body, sorted, ref, escapeExpandable)}${closes ? '\n"@' : ''}`;
}

function escapeExpandable(text: string): string {
  return text.replace(/[`$"\u201c\u201d\u201e]/g, '`$&');
}

function replaceAll(text: string, sorted: string[], ref: (name: string) => string, literal: (text: string) => string = (t) => t): string {
  let out = '';
  let start = 0;
  for (let at = 0; at < text.length; at++) {
    const name = placeholderAt(text, at, sorted);
    if (name === undefined) continue;
    out += literal(text.slice(start, at)) + ref(name);
    at += name.length + 1;
    start = at + 1;
  }
  return out + literal(text.slice(start));
}

function hasPlaceholder(text: string, sorted: string[]): boolean {
  for (let at = text.indexOf('<'); at >= 0; at = text.indexOf('<', at + 1)) {
    if (placeholderAt(text, at, sorted) !== undefined) return true;
  }
  return false;
}

function singleQuotedEnd(source: string, open: number): number {
  for (let at = open + 1; at < source.length; at++) {
    if (source[at] === "'" && source[at + 1] === "'") at++;
    else if (source[at] === "'") return at + 1;
  }
  return -1;
}
