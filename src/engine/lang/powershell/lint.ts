/**
 * What lint finds across a runbook's PowerShell cells: `psql $SUPABASE_DB_URL` reads a
 * PowerShell variable, not the environment: empty in the engineer's terminal, where
 * `load_env.ps1` set only `$env:SUPABASE_DB_URL`. Warned where no PowerShell cell of the
 * runbook sets the variable and the environment (or the frontmatter's `database:` /
 * `variables:`) names it.
 */
import type { Diagnostic, Runbook } from '../../runbook.js';
import { documentAt } from '../document-position.js';
import { powershellAssignedNames, powershellVariableReads } from './references.js';

/** `named`: the variables known outside the cells (the environment's, the frontmatter's `database:` and `variables:`). */
export function environmentAsVariable(runbook: Runbook, named: readonly string[]): Diagnostic[] {
  const cells = runbook.cells.filter((cell) => cell.lang === 'powershell');
  const assigned = new Set(cells.flatMap((cell) => [...powershellAssignedNames(cell.source)]));
  const found: Diagnostic[] = [];
  for (const cell of cells) {
    for (const { name, offset } of powershellVariableReads(cell.source)) {
      if (assigned.has(name.toLowerCase())) continue;
      const variable = named.find((n) => n === name) ?? named.find((n) => n.toLowerCase() === name.toLowerCase());
      if (variable === undefined) continue;
      found.push({
        severity: 'warning',
        ...documentAt(cell, offset),
        rule: 'powershell-env-variable',
        message: `cell ${cell.id} reads $${name}, which no cell sets: in PowerShell that is a variable, not the environment, so it is empty (as in a terminal where only $env:${variable} is set); did you mean \`$env:${variable}\`?`,
      });
    }
  }
  return found;
}
