/**
 * Cell drafts → cells: stable unique ids (explicit `name` first, then heading slugs with
 * `-2`, `-3`…), duplicate-name errors, timeouts, console sessions, placeholders and
 * environment references, and what the document says for every cell (a `zsh` tag, the
 * frontmatter's `shell:` and `cwd:`).
 */
import { isAbsolute, join } from 'node:path';
import type { Cell, CellAttributes, Diagnostic } from '../runbook.js';
import { readConsoleSession } from './console-session.js';
import { nearestAttribute, SAFETY_ATTRIBUTES } from './attributes.js';
import { parseDuration } from './durations.js';
import { languageOf, type AttributeDefaults, type LanguageDefaults } from '../lang/language.js';
import { findEnvRefs, findPlaceholders } from './placeholders.js';
import { assignRunmeNames } from './runme-name.js';
import { UniqueIds } from './slug.js';
import type { CellDraft } from './walk.js';

/** What the document's frontmatter sets for every cell (Runme's `shell:` and `cwd:`). */
/** The frontmatter's `shell:`, `cwd:` and `errorAction:`, as each language takes them. */
export type CellDefaults = LanguageDefaults;

export function buildCells(
  drafts: CellDraft[],
  diagnostics: Diagnostic[],
  defaults: CellDefaults = {},
  otherFences: readonly { line: number; value: string }[] = [],
): Cell[] {
  const explicit = drafts.map((draft) => explicitName(draft, diagnostics));
  const ids = new UniqueIds(explicit.filter((name): name is string => name !== undefined));
  const firstUse = new Map<string, number>();
  const cells = drafts.map((draft, index) => {
    const { node, info, lang } = draft;
    const line = node.position?.start.line ?? 0;
    const column = node.position?.start.column ?? 1;
    const name = explicit[index];
    const session = readConsoleSession(node.value, lang);
    const source = session ? session.source : node.value;
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
      source,
      ...(session ? { session } : {}),
      attributes: withDefaults(info.attributes, languageOf(lang).defaults(info.tag, defaults)),
      unknownAttributes: info.unknownAttributes,
      placeholders: findPlaceholders(source, lang),
      envRefs: findEnvRefs(source, lang),
    };
    for (const key of info.unknownAttributes) {
      const meant = nearestAttribute(key);
      // `{confrim}` would run the write without asking: refused by lint and by run, with the fix.
      if (meant && SAFETY_ATTRIBUTES.has(meant) && !(meant in info.attributes)) {
        diagnostics.push({
          severity: 'error', line, column, rule: 'misspelt-attribute',
          message: `attribute "${key}" on cell ${id} is not known; did you mean "${meant}"? Without it the cell runs without that protection`,
        });
      }
    }
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
  assignRunmeNames(cells, otherFences);
  return cells;
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

/**
 * The cell's attributes with what the document implies filled in, so the plan and the
 * executors read one `interpreter` and one `cwd`: the cell's own value wins; a relative
 * cell `cwd` is taken from the frontmatter's, as Runme does.
 */
function withDefaults(attributes: CellAttributes, { interpreter: shell, cwd, errorAction }: AttributeDefaults): CellAttributes {
  const result = { ...attributes };
  if (errorAction !== undefined && result.errorAction === undefined) result.errorAction = errorAction;
  if (shell !== undefined && result.interpreter === undefined) result.interpreter = shell;
  if (cwd !== undefined) {
    const own = result.cwd;
    result.cwd = own === undefined || own === '' ? cwd : isAbsolute(own) ? own : join(cwd, own);
  }
  return result;
}
