/**
 * Cell attributes from a fence's info string, in either form:
 * `sql {name=stuck-jobs timeout=30s confirm}` or Runme's `sql {"name":"stuck-jobs"}`.
 * As in Runme, the first `{…}` anywhere in the info string holds them
 * (`sh title="x.sh" {name=later}`), and `key=` with nothing after it is an empty value.
 */
import type { CellAttributes } from '../runbook.js';

export const KNOWN_ATTRIBUTES = [
  'name', 'timeout', 'confirm', 'readonly', 'db', 'interpreter', 'cwd', 'skip', 'continueOnError',
  'excludeFromRunAll', 'ignore', 'transform', 'promptEnv', 'errorAction',
] as const;

/** Attributes that make a run safer: a misspelling of one silently drops the protection, so it is an error, not a warning. */
export const SAFETY_ATTRIBUTES: ReadonlySet<string> = new Set(['confirm', 'readonly', 'timeout', 'skip']);

/**
 * The known attribute an unknown key was probably meant to be (`confrim` → `confirm`,
 * `timout` → `timeout`, `readOnly` → `readonly`): the nearest within two edits (a swap of
 * neighbours counts as one), case aside; undefined when none is that near.
 */
export function nearestAttribute(key: string): string | undefined {
  const lower = key.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of KNOWN_ATTRIBUTES) {
    const distance = editDistance(lower, name.toLowerCase());
    const limit = name.length <= 4 ? 1 : 2;
    if (distance <= limit && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** Runme's cell keys this tool reads (`id` is accepted silently: Runme writes it into every cell). */
const RUNME_READ = new Set(['id', 'excludeFromRunAll', 'ignore', 'transform', 'interpreter', 'cwd', 'name', 'interactive', 'background', 'promptEnv']);

/** Runme's cell keys this tool does not act on; lint says so instead of "unknown". */
export const RUNME_UNSUPPORTED = new Set([
  'terminalRows', 'closeTerminalOnSuccess', 'openTerminalOnError',
  'mimeType', 'category', 'tag', 'terminalFontSize', 'terminalFontFamily',
]);

const BOOLEAN_KEYS = new Set(['confirm', 'readonly', 'skip', 'continueOnError', 'excludeFromRunAll', 'ignore', 'transform', 'interactive', 'background']);
const STRING_KEYS = new Set(['name', 'timeout', 'db', 'interpreter', 'cwd', 'id']);

export interface InfoString {
  /** The language tag as written (`PowerShell`, `ps1`…); empty when the fence has none. */
  tag: string;
  /** True when the info string holds a `{…}` block (even an empty or unreadable one). */
  hasAttributes: boolean;
  attributes: CellAttributes;
  unknownAttributes: string[];
  /** Why some of the attributes could not be read; empty when all is well. */
  problems: string[];
}

/** Splits `sql {name=x}` / `sql{"name":"x"}` / `{"name":"x"}` / `sql` into tag and attributes. */
export function readInfoString(info: string): InfoString {
  const trimmed = info.trim();
  const tag = /^[^\s{]*/.exec(trimmed)?.[0] ?? '';
  const rest = trimmed.slice(tag.length);
  const open = rest.indexOf('{');
  const result: InfoString = { tag, hasAttributes: open >= 0, attributes: {}, unknownAttributes: [], problems: [] };
  if (open < 0) return result;
  const close = rest.lastIndexOf('}');
  if (close < open) {
    result.problems.push(`attributes start with "{" but do not end with "}": ${rest.slice(open).trim()}`);
    return result;
  }
  const block = rest.slice(open, close + 1);
  const raw = /^\{\s*["}]/.test(block) ? readJson(block, result.problems) : readPairs(block.slice(1, -1), result.problems);
  for (const [key, value] of Object.entries(raw)) setAttribute(result, key, value);
  return result;
}

function readJson(text: string, problems: string[]): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (error) {
    problems.push(`attributes are not valid JSON (${(error as Error).message})`);
    return {};
  }
  problems.push('attributes must be a JSON object');
  return {};
}

/**
 * `key=value`, `key="quoted"`, `key='quoted'`, `key=` (empty) or a bare `key`, separated by
 * spaces or commas. A value never starts with a space: `first= second=2` is two keys.
 */
const PAIR = /\s*,?\s*([A-Za-z_][\w.-]*)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,}]*)|\s*=\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,}]+))?/y;

function readPairs(text: string, problems: string[]): Record<string, unknown> {
  const pairs: Record<string, unknown> = {};
  let at = 0;
  while (at < text.length) {
    if (/^[\s,]*$/.test(text.slice(at))) break;
    PAIR.lastIndex = at;
    const match = PAIR.exec(text);
    if (!match) {
      problems.push(`cannot read attributes at "${text.slice(at).trim()}"; write key=value or a bare key`);
      break;
    }
    const key = match[1]!;
    const value = match[2] ?? match[3];
    pairs[key] = value === undefined ? true : unquote(value);
    at = PAIR.lastIndex;
  }
  return pairs;
}

function unquote(value: string): string {
  if (value.startsWith('"')) {
    try {
      return JSON.parse(value) as string;
    } catch {
      return value.slice(1, -1);
    }
  }
  if (value.startsWith("'")) return value.slice(1, -1);
  return value;
}

function setAttribute(result: InfoString, key: string, value: unknown): void {
  if (key === 'promptEnv') {
    const mode = promptEnvMode(value);
    if (mode === undefined) result.problems.push(`attribute promptEnv must be yes, no or auto, got ${JSON.stringify(value)}`);
    else result.attributes.promptEnv = mode;
    return;
  }
  if (key === 'errorAction') {
    const action = errorActionOf(value);
    if (action === undefined) result.problems.push(`attribute errorAction must be stop or continue, got ${JSON.stringify(value)}`);
    else result.attributes.errorAction = action;
    return;
  }
  if (BOOLEAN_KEYS.has(key)) {
    const flag = toBoolean(key, value);
    if (flag === undefined) result.problems.push(`attribute ${key} must be true or false, got ${JSON.stringify(value)}`);
    else result.attributes[key] = flag;
    return;
  }
  if (STRING_KEYS.has(key)) {
    if (typeof value === 'string' || typeof value === 'number') result.attributes[key] = String(value);
    else result.problems.push(`attribute ${key} must be a string, got ${JSON.stringify(value)}`);
    return;
  }
  result.attributes[key] = value;
  if (!RUNME_READ.has(key)) result.unknownAttributes.push(key);
}

/** `stop` / `continue`, any case (PowerShell's own ErrorAction names). */
export function errorActionOf(value: unknown): 'stop' | 'continue' | undefined {
  const lower = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  return lower === 'stop' || lower === 'continue' ? lower : undefined;
}

function toBoolean(key: string, value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  // `skip=` / `confirm=` say the key and nothing more: read as the bare key. An empty
  // `readonly=` would relax the write guard on a guess, so it is refused instead.
  if (value === '') return key === 'readonly' ? undefined : true;
  const lower = value.toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(lower)) return true;
  if (['false', 'no', 'off', '0'].includes(lower)) return false;
  return undefined;
}

/**
 * Runme's reading of `promptEnv`: `yes`/`true` asks even for a value the environment has,
 * `no`/`false` never asks (the line runs as written), `auto`, empty or a bare key asks for
 * what the environment lacks.
 */
function promptEnvMode(value: unknown): 'yes' | 'no' | 'auto' | undefined {
  if (typeof value === 'boolean') return value ? 'auto' : 'no';
  if (typeof value !== 'string') return undefined;
  const lower = value.trim().toLowerCase();
  if (lower === '' || lower === 'auto') return 'auto';
  if (['true', 'yes', '1'].includes(lower)) return 'yes';
  if (['false', 'no', '0'].includes(lower)) return 'no';
  return undefined;
}
