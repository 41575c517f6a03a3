/**
 * `<NAME>` placeholders are not SQL. To parse a cell that still has them, each one outside
 * strings and comments becomes a same-length stand-in, so every position stays true.
 */
import { PLACEHOLDER } from '../markdown/placeholders.js';
import { sqlRegions } from './lexer.js';

export type MaskStyle = 'identifier' | 'literal';

/**
 * `<GOOD_SHA>` → `"GOOD_SHA"` (an identifier: valid where a table, column or value goes)
 * or `'GOOD_SHA'` (a literal: valid after INTERVAL and the like). Same length either way.
 */
export function maskPlaceholders(sql: string, style: MaskStyle): string {
  if (!sql.includes('<')) return sql;
  const quote = style === 'identifier' ? '"' : "'";
  let masked = '';
  for (const region of sqlRegions(sql)) {
    const text = sql.slice(region.start, region.end);
    masked += region.kind === 'code' ? text.replace(PLACEHOLDER, (_, name: string) => `${quote}${name}${quote}`) : text;
  }
  return masked;
}

export function hasPlaceholders(sql: string): boolean {
  return maskPlaceholders(sql, 'identifier') !== sql;
}
