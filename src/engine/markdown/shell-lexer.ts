/**
 * Just enough of sh and PowerShell to tell code from comments and literal
 * (single-quoted) strings, for finding placeholders and environment references.
 */
import type { Region } from '../lang/sql/lexer.js';

/** Regions of kind `code`, `string` (expanding, "…"), `dollar` (literal, '…') and `comment`. */
export function shellRegions(source: string, dialect: 'sh' | 'powershell'): Region[] {
  const regions: Region[] = [];
  const escape = dialect === 'sh' ? '\\' : '`';
  let codeStart = 0;
  let at = 0;
  const push = (kind: Region['kind'], start: number, end: number) => {
    if (codeStart < start) regions.push({ kind: 'code', start: codeStart, end: start });
    regions.push({ kind, start, end });
    codeStart = end;
  };
  while (at < source.length) {
    const char = source[at];
    if (char === escape) at += 2;
    else if (dialect === 'powershell' && char === '<' && source[at + 1] === '#') {
      const close = source.indexOf('#>', at + 2);
      const end = close < 0 ? source.length : close + 2;
      push('comment', at, end);
      at = end;
    } else if (char === '#' && (at === 0 || /\s|;/.test(source[at - 1]!))) {
      const close = source.indexOf('\n', at);
      const end = close < 0 ? source.length : close;
      push('comment', at, end);
      at = end;
    } else if (char === "'") {
      const end = literalEnd(source, at, dialect);
      push('dollar', at, end);
      at = end;
    } else if (char === '"') {
      const end = expandingEnd(source, at, escape);
      push('string', at, end);
      at = end;
    } else at += 1;
  }
  if (codeStart < source.length) regions.push({ kind: 'code', start: codeStart, end: source.length });
  return regions;
}

function literalEnd(source: string, from: number, dialect: 'sh' | 'powershell'): number {
  let at = from + 1;
  while (at < source.length) {
    if (source[at] === "'") {
      if (dialect === 'powershell' && source[at + 1] === "'") at += 2;
      else return at + 1;
    } else at += 1;
  }
  return source.length;
}

function expandingEnd(source: string, from: number, escape: string): number {
  let at = from + 1;
  while (at < source.length) {
    if (source[at] === escape) at += 2;
    else if (source[at] === '"') return at + 1;
    else at += 1;
  }
  return source.length;
}
