/**
 * Ad-hoc cells: a query or command typed in the console during the run (`a`), made a cell
 * of its own so it is planned, guarded, run and recorded exactly like the runbook's cells.
 * It sits at the cell the operator was at (its line and section), under an id no runbook
 * cell has; its status is its own and never counts towards the run's outcome.
 */
import { findEnvRefs, findPlaceholders } from '../markdown/placeholders.js';
import type { Cell, Lang } from '../runbook.js';

export function adhocCell(at: Cell, lang: Lang, source: string, id: string): Cell {
  return {
    id,
    lang,
    tag: lang,
    line: at.line,
    sourceLine: at.sourceLine,
    column: 0,
    section: at.section,
    prose: '',
    source,
    attributes: {},
    unknownAttributes: [],
    placeholders: findPlaceholders(source, lang),
    envRefs: findEnvRefs(source, lang),
  };
}

/** `adhoc-1`, `adhoc-2`, …: the next number no cell of the runbook (nor an earlier ad-hoc cell) uses. */
export function nextAdhocId(taken: ReadonlySet<string>, from: number): { id: string; n: number } {
  let n = from;
  while (taken.has(`adhoc-${n}`)) n += 1;
  return { id: `adhoc-${n}`, n };
}
