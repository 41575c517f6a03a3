/**
 * `<NAME>` placeholders are not SQL. To parse a cell that still has them, each one outside
 * strings and comments becomes a same-length stand-in, so every position stays true:
 * `"NAME"` (an identifier: valid where a table, column or value goes) or `'NAME'` (a
 * literal: valid after INTERVAL and the like).
 */
import { PLACEHOLDER } from '../../placeholders/names.js';
import { sqlRegions } from './lexer.js';

export interface MaskedSql {
  text: string;
  /** Start offsets of the stand-ins, in order. */
  spots: number[];
}

/** Masks every placeholder; `literalAt` lists the spots that get `'…'` instead of `"…"`. */
export function maskPlaceholders(sql: string, literalAt: ReadonlySet<number> = new Set()): MaskedSql {
  if (!sql.includes('<')) return { text: sql, spots: [] };
  let text = '';
  const spots: number[] = [];
  for (const region of sqlRegions(sql)) {
    const part = sql.slice(region.start, region.end);
    if (region.kind !== 'code') {
      text += part;
      continue;
    }
    text += part.replace(PLACEHOLDER, (whole: string, name: string, at: number) => {
      const spot = region.start + at;
      spots.push(spot);
      const quote = literalAt.has(spot) ? "'" : '"';
      return `${quote}${name}${quote}`;
    });
  }
  return { text, spots };
}
