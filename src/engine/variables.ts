/**
 * Where a placeholder's value comes from: `--var NAME=VALUE`, the environment, the
 * frontmatter's `variables:` default, or the operator. A value is validated against
 * the frontmatter pattern; a bad one is one clear line and exit 2.
 */
import { InputError } from './errors.js';
import { isPlaceholderName } from './placeholders/names.js';
import { isSecretName } from './redact.js';
import type { VariableBound } from './events.js';
import type { Runbook, VariableSpec } from './runbook.js';

export type VariableSource = VariableBound['source'];

export interface BoundVariable {
  name: string;
  value: string;
  source: VariableSource;
  secret: boolean;
}

/** `NAME=VALUE` flags → a map. A flag without `=` is a usage error. */
export function parseVarFlags(flags: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const name = eq > 0 ? flag.slice(0, eq).trim() : '';
    if (!isPlaceholderName(name)) {
      throw new InputError(`--var ${JSON.stringify(flag)}: expected NAME=VALUE, e.g. --var GOOD_SHA=1a2b3c4`);
    }
    values[name] = flag.slice(eq + 1);
  }
  return values;
}

/** The spec the runbook declares for a name, or a bare one for an undeclared placeholder. */
export function specFor(runbook: Runbook, name: string): VariableSpec {
  return runbook.variables.find((v) => v.name === name) ?? { name };
}

export function isSecretVariable(spec: VariableSpec): boolean {
  return spec.secret === true || isSecretName(spec.name);
}

/** Null when the value fits the spec's pattern (in full), else the one-line reason. */
export function validateValue(spec: VariableSpec, value: string): string | null {
  if (!spec.pattern) return null;
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^(?:${spec.pattern})$`, 'u');
  } catch {
    return `variable ${spec.name}: its pattern ${JSON.stringify(spec.pattern)} in the frontmatter is not a valid regular expression; fix the runbook`;
  }
  if (pattern.test(value)) return null;
  const shown = isSecretVariable(spec) ? 'the given value' : JSON.stringify(value);
  return `variable ${spec.name}: ${shown} does not match the pattern ${spec.pattern}${spec.description ? ` (${spec.description})` : ''}`;
}

/** Names a run needs values for: the placeholders of the cells it will run, in order. */
export function neededNames(cells: readonly { placeholders: string[] }[]): string[] {
  const names = new Set<string>();
  for (const cell of cells) for (const name of cell.placeholders) names.add(name);
  return [...names];
}

export interface ResolveOptions {
  runbook: Runbook;
  /** From `--var`. Any name may be given, declared or not. */
  flags: Record<string, string>;
  env: NodeJS.ProcessEnv;
  /** Placeholders the run needs; declared frontmatter variables are always considered. */
  needed: readonly string[];
}

/**
 * Binds every value known without asking anyone: flag > environment > frontmatter
 * default. Throws InputError for a value that fails its pattern. Names still missing
 * are returned for the operator (or preflight) to deal with.
 */
export function resolveVariables(options: ResolveOptions): { bound: BoundVariable[]; missing: string[] } {
  const { runbook, flags, env } = options;
  const names = new Set<string>([...options.needed, ...runbook.variables.map((v) => v.name), ...Object.keys(flags)]);
  const bound: BoundVariable[] = [];
  const missing: string[] = [];
  for (const name of names) {
    const spec = specFor(runbook, name);
    const found = lookup(spec, flags, env);
    if (!found) {
      if (options.needed.includes(name)) missing.push(name);
      continue;
    }
    const problem = validateValue(spec, found.value);
    if (problem) throw new InputError(`${problem}; pass a valid --var ${name}=…`);
    bound.push({ name, value: found.value, source: found.source, secret: isSecretVariable(spec) });
  }
  return { bound, missing };
}

function lookup(
  spec: VariableSpec,
  flags: Record<string, string>,
  env: NodeJS.ProcessEnv,
): { value: string; source: VariableSource } | undefined {
  const flag = flags[spec.name];
  if (flag !== undefined) return { value: flag, source: 'flag' };
  const fromEnv = env[spec.name];
  if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: 'env' };
  if (spec.default !== undefined) return { value: String(spec.default), source: 'default' };
  return undefined;
}

/** The event body for a bound value: a secret's value is never recorded. */
export function boundEvent(variable: BoundVariable): Omit<VariableBound, 'v' | 'seq' | 'ts' | 'run' | 'hash'> {
  const body: Omit<VariableBound, 'v' | 'seq' | 'ts' | 'run' | 'hash'> = {
    type: 'variable.bound',
    name: variable.name,
    source: variable.source,
    secret: variable.secret,
  };
  if (!variable.secret) body.value = variable.value;
  return body;
}
