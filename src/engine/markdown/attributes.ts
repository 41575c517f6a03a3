/**
 * Cell attributes from a fence's info string, in either form:
 * `sql {name=stuck-jobs timeout=30s confirm}` or Runme's `sql {"name":"stuck-jobs"}`.
 */
import type { CellAttributes } from '../runbook.js';

export const KNOWN_ATTRIBUTES = [
  'name', 'timeout', 'confirm', 'readonly', 'db', 'interpreter', 'cwd', 'skip', 'continueOnError',
] as const;

const BOOLEAN_KEYS = new Set(['confirm', 'readonly', 'skip', 'continueOnError']);
const STRING_KEYS = new Set(['name', 'timeout', 'db', 'interpreter', 'cwd']);

export interface InfoString {
  /** The language tag as written (`PowerShell`, `ps1`…). */
  tag: string;
  attributes: CellAttributes;
  unknownAttributes: string[];
  /** Why some of the attributes could not be read; empty when all is well. */
  problems: string[];
}

/** Splits `sql {name=x}` / `sql{"name":"x"}` / `sql` into tag and attributes. */
export function readInfoString(info: string): InfoString {
  const trimmed = info.trim();
  const tag = /^[^\s{]*/.exec(trimmed)?.[0] ?? '';
  const rest = trimmed.slice(tag.length).trim();
  const result: InfoString = { tag, attributes: {}, unknownAttributes: [], problems: [] };
  if (!rest.startsWith('{')) return result;
  if (!rest.endsWith('}')) {
    result.problems.push(`attributes start with "{" but do not end with "}": ${rest}`);
    return result;
  }
  const raw = /^\{\s*["}]/.test(rest) ? readJson(rest, result.problems) : readPairs(rest.slice(1, -1), result.problems);
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

const PAIR = /\s*,?\s*([A-Za-z_][\w-]*)(?:\s*=\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,}]+))?/y;

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
    const [, key, value] = match as unknown as [string, string, string | undefined];
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
  if (BOOLEAN_KEYS.has(key)) {
    const flag = toBoolean(value);
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
  result.unknownAttributes.push(key);
}

function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(lower)) return true;
  if (['false', 'no', 'off', '0'].includes(lower)) return false;
  return undefined;
}
