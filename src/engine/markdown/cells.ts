/**
 * Cell drafts → cells: stable unique ids (explicit `name` first, then heading slugs with
 * `-2`, `-3`…), duplicate-name errors, timeouts, placeholders and environment references.
 */
import type { Cell, Diagnostic } from '../runbook.js';
import { parseDuration } from './durations.js';
import { findEnvRefs, findPlaceholders } from './placeholders.js';
import { UniqueIds } from './slug.js';
import type { CellDraft } from './walk.js';

export function buildCells(drafts: CellDraft[], diagnostics: Diagnostic[]): Cell[] {
  const explicit = drafts.map((draft) => explicitName(draft, diagnostics));
  const ids = new UniqueIds(explicit.filter((name): name is string => name !== undefined));
  const firstUse = new Map<string, number>();
  return drafts.map((draft, index) => {
    const { node, info, lang } = draft;
    const line = node.position?.start.line ?? 0;
    const column = node.position?.start.column ?? 1;
    const name = explicit[index];
    let id: string;
    if (name === undefined) id = ids.take(draft.section?.id ?? 'cell');
    else if (firstUse.has(name)) {
      id = ids.take(name);
      diagnostics.push({
        severity: 'error', line, column, rule: 'duplicate-name',
        message: `cell name "${name}" is already used at line ${firstUse.get(name)}; give each cell its own name (this one is "${id}" for now)`,
      });
    } else {
      firstUse.set(name, line);
      id = name;
    }
    const cell: Cell = {
      id,
      lang,
      tag: info.tag,
      line,
      sourceLine: line + 1,
      column,
      section: draft.section?.path ?? [],
      prose: draft.prose,
      source: node.value,
      attributes: info.attributes,
      unknownAttributes: info.unknownAttributes,
      placeholders: findPlaceholders(node.value, lang),
      envRefs: findEnvRefs(node.value, lang),
    };
    const timeout = info.attributes.timeout;
    if (timeout !== undefined) {
      const ms = parseDuration(timeout);
      if (ms === undefined || ms <= 0) {
        diagnostics.push({
          severity: 'warning', line, column, rule: 'bad-attribute',
          message: `timeout "${timeout}" is not a duration; write 30s, 2m, 1h, 500ms or a number of seconds`,
        });
      } else cell.timeoutMs = ms;
    }
    return cell;
  });
}

function explicitName(draft: CellDraft, diagnostics: Diagnostic[]): string | undefined {
  const name = draft.info.attributes.name;
  if (name === undefined) return undefined;
  const trimmed = String(name).trim();
  if (trimmed === '' || /\s|,/.test(trimmed)) {
    diagnostics.push({
      severity: 'warning', line: draft.node.position?.start.line ?? 0, column: draft.node.position?.start.column ?? 1,
      rule: 'bad-attribute', message: `cell name ${JSON.stringify(name)} must be one word without spaces or commas; using the heading instead`,
    });
    return undefined;
  }
  return trimmed;
}
