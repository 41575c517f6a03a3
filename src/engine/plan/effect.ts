/**
 * A cell's effect on the database, with the reason, as its language reads it
 * (lang/<language>/language.ts): the `readonly` attribute wins (a SQL cell then runs in a
 * READ ONLY transaction, so a write that slipped through fails and changes nothing) unless
 * the SQL could leave that transaction; SQL is read from the parse tree and the catalogue;
 * a shell cell writes unless marked.
 */
import type { Cell } from '../runbook.js';
import type { Catalogue } from '../lang/sql/effects.js';
import { languageOf } from '../lang/language.js';
import type { EffectPlan } from './types.js';

/**
 * For the cell as written, or for `source` after an operator's edit. Without a catalogue
 * (list, lint, dry runs, before connecting) PostgreSQL's built-in one decides.
 */
export function planEffect(cell: Pick<Cell, 'lang' | 'attributes' | 'source'>, source = cell.source, catalogue?: Catalogue): Promise<EffectPlan> {
  return languageOf(cell).effect(cell, source, catalogue);
}
