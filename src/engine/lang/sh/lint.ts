/**
 * What lint finds in an sh cell: a placeholder bound where the text is parsed again
 * (`bash -c`, `eval`, `ssh host "…"`, an unquoted heredoc read by psql or bash, an array
 * subscript that takes a non-number…): errors the run refuses too. The binder decides.
 */
import type { Cell, Diagnostic } from '../../runbook.js';
import { documentAt } from '../document-position.js';
import { bindSh, ShBindingRefusal } from './placeholders.js';

export function lintShCell(cell: Cell): Diagnostic[] {
  if (cell.placeholders.length === 0) return [];
  // Any integer-safe value shows where the binder refuses.
  try {
    bindSh(cell.source, cell.placeholders, { envName: (name) => `RUNBOOK_VAR_${name}`, valueOf: () => '0' });
  } catch (error) {
    if (!(error instanceof ShBindingRefusal)) return [];
    return [{ severity: 'error', ...documentAt(cell, error.offset), rule: 'placeholder-reparsed', message: `cell ${cell.id}: ${error.message}` }];
  }
  return [];
}
