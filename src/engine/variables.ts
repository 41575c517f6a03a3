/**
 * Where a placeholder's value comes from: `--var NAME=VALUE`, the environment, the
 * frontmatter's `variables:` default, or the operator. A value is validated against
 * the frontmatter pattern; a bad one is one clear line and exit 2.
 */
import { InputError } from './errors.js';
import { isPlaceholderName } from './placeholders/names.js';
import { existsSync } from 'node:fs';
import { isSecretName } from './redact.js';
import type { RunMode, VariableBound } from './events.js';
import type { PromptPlan, RunPlan } from './plan/types.js';
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

/**
 * A `--var-file`: `NAME=VALUE` a line (an `export ` before it is allowed), blank lines and
 * `# comments` skipped. The value is everything after the first `=`, as written, but for
 * one pair of matching quotes around it (`TOKEN="a b"`); nothing inside is unescaped or
 * expanded. A line that is not such an assignment is an InputError naming its line.
 */
export function parseVarFile(text: string, file: string): Record<string, string> {
  const values: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/^\s*(?:export\s+)?/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const name = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!isPlaceholderName(name)) {
      throw new InputError(`--var-file ${file}:${index + 1}: expected NAME=VALUE (blank lines and # comments are skipped), e.g. API_TOKEN=…`);
    }
    const value = line.slice(eq + 1);
    const quoted = /^(["'])([\s\S]*)\1$/.exec(value);
    values[name] = quoted ? (quoted[2] as string) : value;
  });
  return values;
}

/**
 * The spec the runbook declares for a name, or a bare one for an undeclared placeholder.
 * With the run's plan, a name a cell's `export NAME=…` asks for (promptEnv) also gets what
 * that line writes: a quoted value is offered to keep, a bare word is shown as a hint.
 */
export function specFor(runbook: Runbook, name: string, plan?: RunPlan, env?: NodeJS.ProcessEnv): VariableSpec {
  const declared = runbook.variables.find((v) => v.name === name) ?? { name };
  const prompt = plan ? promptOf(plan, name) : undefined;
  if (!prompt) return declared;
  // promptEnv=yes asks even for a value the environment has: that value is the one offered.
  const offered = prompt.always && env?.[name] ? env[name] : prompt.kind === 'default' ? prompt.written : undefined;
  return {
    description: `export ${name}=… in cell ${prompt.cell} (line ${prompt.line})`,
    ...declared,
    ...(offered !== undefined && declared.default === undefined ? { suggested: offered } : {}),
    ...(prompt.kind === 'hint' ? { hint: prompt.written } : {}),
  };
}

/** The first `export NAME=…` prompt for `name` among the cells that will run. */
export function promptOf(plan: RunPlan, name: string): (PromptPlan & { cell: string }) | undefined {
  for (const cell of plan.cells) {
    const prompt = cell.willRun ? cell.prompts?.find((p) => p.name === name) : undefined;
    if (prompt) return { ...prompt, cell: cell.id };
  }
  return undefined;
}

export function isSecretVariable(spec: VariableSpec): boolean {
  return spec.secret === true || isSecretName(spec.name);
}

/**
 * Values of every secret-named environment variable present (AWS_SECRET_ACCESS_KEY,
 * PGPASSWORD, *_TOKEN…), referenced by a cell or not: `env | grep TOKEN` prints them too;
 * with `runbook`, also those its frontmatter marks `secret`. The run's start masks the
 * environment's; a shell cell that sets one (a dot-sourced `load_env.ps1`) adds it for
 * the rest of the run. Very short values are left out (a `*_KEY=1` flag would mask every
 * 1), and so are paths.
 */
export function secretEnvValues(env: NodeJS.ProcessEnv, runbook?: Pick<Runbook, 'variables'>): string[] {
  const declared = new Set((runbook?.variables ?? []).filter((spec) => spec.secret === true).map((spec) => spec.name));
  return Object.entries(env)
    .filter(([name, value]) => (isSecretName(name) || declared.has(name)) && typeof value === 'string' && value.length >= 6 && !isPathValue(name, value))
    .map(([, value]) => value as string);
}

/**
 * `SSH_KEY_PATH=/home/me/.ssh/id_ed25519` is a path, not a secret; `AWS_SECRET_ACCESS_KEY=/K7MDENG…/bPxR…`
 * (about 1 in 120 AWS keys starts with `/`) only looks like one. A path-shaped value is
 * left unmasked only when the name says it is a path or the path exists.
 */
function isPathValue(name: string, value: string): boolean {
  if (!/^\/[\w./-]*$/.test(value)) return false;
  if (/(?:PATH|FILE|DIR|HOME|ROOT|LOCATION)$/i.test(name)) return true;
  return existsSync(value);
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
  /** The run's plan, for the names its cells' `export` lines ask for (promptEnv). */
  plan?: RunPlan;
  /** Interactive: a prompted export is asked in the console, not taken from what the line writes. */
  mode?: RunMode;
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
    const prompt = options.plan ? promptOf(options.plan, name) : undefined;
    const found = lookup(spec, flags, env, prompt, options.mode);
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

/**
 * flag > environment > frontmatter default; for a prompted export (promptEnv), the console
 * then asks, while an unattended run takes a quoted written value (`export X="v"`, which
 * Runme offers to keep) and refuses a bare word or an empty one (Runme only hints at those).
 * `promptEnv=yes` leaves the environment's value to be offered in the console, not taken.
 */
function lookup(
  spec: VariableSpec,
  flags: Record<string, string>,
  env: NodeJS.ProcessEnv,
  prompt: PromptPlan | undefined,
  mode: RunMode | undefined,
): { value: string; source: VariableSource } | undefined {
  const flag = flags[spec.name];
  if (flag !== undefined) return { value: flag, source: 'flag' };
  const fromEnv = env[spec.name];
  const askAnyway = prompt?.always === true && mode === 'interactive';
  if (fromEnv !== undefined && fromEnv !== '' && !askAnyway) return { value: fromEnv, source: 'env' };
  if (spec.default !== undefined) return { value: String(spec.default), source: 'default' };
  if (prompt?.kind === 'default' && mode !== 'interactive') return { value: prompt.written, source: 'written' };
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
