/**
 * Placeholder names as the author wrote them (`<GOOD_SHA>`, `<timestamp>`, `<my-var>`)
 * and the environment variable names shells see them under.
 */
import { InputError } from '../errors.js';

/**
 * The name inside `<…>`: starts with a letter (or `_`), then letters, digits, `_`, `-` and
 * `.`, and ends with a letter, digit or `_`: `<GOOD_SHA>`, `<pod-name>`, `<app.version>`.
 * `<-`, `<1>`, `< b >` and `<a->` are never names.
 */
export const PLACEHOLDER_NAME = '[A-Za-z_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?';

/** `<GOOD_SHA>`, `<pod-name>`, `<app.version>`; never `<>`, `a < b` or `<<EOF`. */
export const PLACEHOLDER = new RegExp(`<(${PLACEHOLDER_NAME})>`, 'g');

/** True for a string that can be a placeholder's name (what `--var NAME=…` accepts). */
export function isPlaceholderName(name: string): boolean {
  return new RegExp(`^${PLACEHOLDER_NAME}$`).test(name);
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Maps each placeholder to an environment variable name: valid names stay as written,
 * others are sanitised (`my-var` → `my_var`, `1st` → `_1st`). Distinct placeholders never
 * share a variable: a clash gets a numeric suffix.
 */
export function envNames(names: readonly string[], reserved: readonly string[] = []): Map<string, string> {
  const byPlaceholder = new Map<string, string>();
  // `reserved`: names another binder uses in the same cell (its prompted exports), never given to a sanitised one.
  const taken = new Set<string>(reserved);
  for (const name of names) if (ENV_NAME.test(name)) taken.add(name);
  for (const name of names) {
    if (byPlaceholder.has(name)) continue;
    if (ENV_NAME.test(name)) {
      byPlaceholder.set(name, name);
      continue;
    }
    const base = sanitise(name);
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) candidate = `${base}_${n}`;
    taken.add(candidate);
    byPlaceholder.set(name, candidate);
  }
  return byPlaceholder;
}

function sanitise(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/** The value for a placeholder, or a clear error naming what is missing. */
export function valueOf(name: string, values: Record<string, string>): string {
  const value = values[name];
  if (value === undefined) {
    throw new InputError(`no value for placeholder <${name}>: pass --var ${name}=VALUE or set it in the frontmatter variables`);
  }
  return value;
}

/** Finds which of `names` is written as `<NAME>` at `at`; longest name first. */
export function placeholderAt(source: string, at: number, sortedNames: readonly string[]): string | undefined {
  if (source[at] !== '<') return undefined;
  for (const name of sortedNames) {
    if (source.startsWith(name, at + 1) && source[at + 1 + name.length] === '>') return name;
  }
  return undefined;
}

export function longestFirst(names: readonly string[]): string[] {
  return [...new Set(names)].sort((a, b) => b.length - a.length);
}

/** 1-based line of an offset, for messages about the cell's source. */
export function lineAt(source: string, at: number): number {
  let line = 1;
  for (let i = 0; i < at && i < source.length; i++) if (source[i] === '\n') line++;
  return line;
}

/**
 * Values reach shells under names of their own, so no placeholder can set a variable the
 * shell, the loader or a tool reads (`BASH_ENV`, `LD_PRELOAD`, `PATH`, `DATABASE_URL`).
 */
export const VALUE_PREFIX = 'RUNBOOK_VAR_';

/** The environment a shell gets for `names` (under VALUE_PREFIX names) and the name each is read as. */
export function shellValues(names: readonly string[], values: Record<string, string>, reserved: readonly string[] = []): { envName: (name: string) => string; env: Record<string, string> } {
  const variables = envNames(names, reserved);
  const envName = (name: string) => `${VALUE_PREFIX}${variables.get(name) ?? name}`;
  const env: Record<string, string> = {};
  for (const name of new Set(names)) env[envName(name)] = valueOf(name, values);
  return { envName, env };
}
