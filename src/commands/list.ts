/**
 * `runbook list <file.md> [--json]`: the outline of a runbook, section by section, or
 * the DESIGN.md JSON shape. Loads no UI code, and the SQL parser only for SQL cells.
 */
import { readRunbookFile } from '../engine/parse.js';
import type { Cell, Runbook } from '../engine/runbook.js';
import { cellEffect, type Effect } from '../engine/sql/effects.js';
import { formatOutline } from './list-outline.js';

export interface ListOptions {
  json?: boolean;
}

export async function list(file: string, opts: ListOptions = {}): Promise<number> {
  const runbook = await readRunbookFile(file);
  const effects = new Map<string, Effect>();
  for (const cell of runbook.cells) effects.set(cell.id, await cellEffect(cell));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(listJson(runbook, effects), null, 2)}\n`);
    return 0;
  }
  if (runbook.cells.length === 0) {
    process.stdout.write(`${file}: no executable cells (no sql, powershell or sh fences); nothing to run\n`);
  } else {
    process.stdout.write(formatOutline(runbook, effects));
  }
  const errors = runbook.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  if (errors > 0) {
    process.stderr.write(`runbook: ${file} has ${errors} problem${errors === 1 ? '' : 's'}; run \`runbook lint ${file}\` to see where\n`);
  }
  return 0;
}

/** DESIGN.md's shape, extended with effects, placeholders, sections and the checklist. */
export function listJson(runbook: Runbook, effects: ReadonlyMap<string, Effect>) {
  return {
    runbook: {
      path: runbook.path,
      title: runbook.title,
      sha256: runbook.sha256,
      ...(runbook.database === undefined ? {} : { database: runbook.database }),
    },
    cells: runbook.cells.map((cell) => cellJson(cell, effects.get(cell.id) ?? 'write')),
    sections: runbook.sections,
    variables: runbook.variables,
    checklist: runbook.checklist,
    ...(runbook.escalation === undefined ? {} : { escalation: runbook.escalation }),
    diagnostics: runbook.diagnostics,
  };
}

function cellJson(cell: Cell, effect: Effect) {
  return {
    id: cell.id,
    lang: cell.lang,
    line: cell.line,
    section: cell.section,
    source: cell.source,
    attributes: cell.attributes,
    tag: cell.tag,
    column: cell.column,
    effect,
    placeholders: cell.placeholders,
    envRefs: cell.envRefs,
    ...(cell.timeoutMs === undefined ? {} : { timeoutMs: cell.timeoutMs }),
    ...(cell.runmeName === undefined ? {} : { runmeName: cell.runmeName }),
    ...(cell.session === undefined ? {} : { session: cell.session }),
  };
}
