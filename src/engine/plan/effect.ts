/**
 * A cell's effect on the database, with the reason: the `readonly` attribute wins (a SQL
 * cell then runs in a READ ONLY transaction, so a write that slipped through fails and
 * changes nothing) unless the SQL could leave that transaction (sql/readonly.ts); SQL is read from the parse tree and the catalogue (sql/effects.ts);
 * a shell cell writes unless marked.
 */
import type { Cell } from '../runbook.js';
import { explainSql, type Catalogue } from '../lang/sql/effects.js';
import { readonlyBreach, readonlyMessage } from '../lang/sql/readonly.js';
import type { EffectPlan } from './types.js';

/**
 * For the cell as written, or for `source` after an operator's edit. Without a catalogue
 * (list, lint, dry runs, before connecting) PostgreSQL's built-in one decides.
 */
export async function planEffect(cell: Pick<Cell, 'lang' | 'attributes' | 'source'>, source = cell.source, catalogue?: Catalogue): Promise<EffectPlan> {
  if (cell.attributes.readonly === true && cell.lang === 'sql') {
    // The attribute never relaxes: a cell that would leave its READ ONLY transaction is the write it is, and refused.
    const breach = await readonlyBreach(source);
    if (breach) return { effect: 'write', because: `readonly attribute refused: ${breach.what}`, refused: readonlyMessage(breach) };
  }
  if (cell.attributes.readonly === true) return { effect: 'read', because: 'readonly attribute' };
  if (cell.lang !== 'sql') return { effect: 'write', because: `${cell.lang} cell (shell cells write unless marked readonly)` };
  const { effect, reason } = await explainSql(source, catalogue);
  return { effect, because: reason };
}
