/**
 * The rehearsal of a SQL write, as an event: the cell as it would run (values bound, the
 * same `runbook.*` settings), run and rolled back on the target (lang/sql/rehearse.ts).
 * A rehearsal that cannot run says why; it never fails the run.
 */
import type { EventBody } from '../events.js';
import { sessionSettings } from '../lang/sql/reparsed.js';
import type { Cell } from '../runbook.js';
import type { Target } from '../target.js';
import type { Catalogue } from '../lang/sql/effects.js';

export async function rehearsalEvent(cell: Cell, boundSource: string, values: Readonly<Record<string, string>>, target: Target, catalogue?: Catalogue): Promise<EventBody> {
  if (!target.url) return { type: 'sql.rehearsal', cell: cell.id, statements: [], error: 'no database target to rehearse against' };
  try {
    const { rehearseSql } = await import('../lang/sql/rehearse.js');
    const rehearsal = await rehearseSql({ url: target.url, source: boundSource, settings: sessionSettings(values), ...(catalogue ? { catalogue } : {}) });
    return { type: 'sql.rehearsal', cell: cell.id, ...rehearsal };
  } catch (error) {
    return { type: 'sql.rehearsal', cell: cell.id, statements: [], error: error instanceof Error ? error.message : String(error) };
  }
}
