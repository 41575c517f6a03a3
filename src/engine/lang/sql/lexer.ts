/**
 * Just enough of PostgreSQL's lexical structure to tell code from strings and comments,
 * without a parser: `'…'` (with `''`), `E'…'` (with `\'`), `"…"`, `$tag$…$tag$`,
 * `-- …` and nested `/* … *\/`. Linear in the length of the text.
 */

export type RegionKind = 'code' | 'string' | 'identifier' | 'dollar' | 'comment';

export interface Region {
  kind: RegionKind;
  start: number;
  end: number;
}

/** Cuts SQL into code, string, quoted identifier, dollar-quoted and comment regions. */
export function sqlRegions(sql: string): Region[] {
  const regions: Region[] = [];
  let codeStart = 0;
  let at = 0;
  const push = (kind: RegionKind, start: number, end: number) => {
    if (codeStart < start) regions.push({ kind: 'code', start: codeStart, end: start });
    regions.push({ kind, start, end });
    codeStart = end;
  };
  while (at < sql.length) {
    const char = sql[at];
    const next = sql[at + 1];
    if (char === '-' && next === '-') {
      const end = lineEnd(sql, at);
      push('comment', at, end);
      at = end;
    } else if (char === '/' && next === '*') {
      const end = blockCommentEnd(sql, at);
      push('comment', at, end);
      at = end;
    } else if (char === "'") {
      const escapes = /[eE]/.test(sql[at - 1] ?? '') && !/[\w$]/.test(sql[at - 2] ?? '');
      const end = quotedEnd(sql, at, "'", escapes);
      push('string', escapes ? at - 1 : at, end);
      at = end;
    } else if (char === '"') {
      const end = quotedEnd(sql, at, '"', false);
      push('identifier', at, end);
      at = end;
    } else if (char === '$' && !/[\w$]/.test(sql[at - 1] ?? '')) {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(sql.slice(at, at + 64))?.[0];
      if (tag) {
        const close = sql.indexOf(tag, at + tag.length);
        const end = close < 0 ? sql.length : close + tag.length;
        push('dollar', at, end);
        at = end;
      } else at += 1;
    } else at += 1;
  }
  if (codeStart < sql.length) regions.push({ kind: 'code', start: codeStart, end: sql.length });
  return regions;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end < 0 ? text.length : end;
}

function blockCommentEnd(text: string, from: number): number {
  let depth = 0;
  let at = from;
  while (at < text.length) {
    if (text[at] === '/' && text[at + 1] === '*') {
      depth += 1;
      at += 2;
    } else if (text[at] === '*' && text[at + 1] === '/') {
      depth -= 1;
      at += 2;
      if (depth === 0) return at;
    } else at += 1;
  }
  return text.length;
}

function quotedEnd(text: string, from: number, quote: string, backslashEscapes: boolean): number {
  let at = from + 1;
  while (at < text.length) {
    const char = text[at];
    if (backslashEscapes && char === '\\') at += 2;
    else if (char === quote) {
      if (text[at + 1] === quote) at += 2;
      else return at + 1;
    } else at += 1;
  }
  return text.length;
}
