/**
 * YAML frontmatter: `title`, `database` (a URL or `$ENV_VAR`), and `variables`, either a
 * map `NAME: {description, default, secret, pattern}` (or `NAME: description`) or a list.
 * From Runme: `shell:` (the interpreter of shell cells) and `cwd:` (relative to the
 * document); its `skipPrompts`, `category` and `runme:` block are accepted and kept.
 */
import { parse as parseYaml } from 'yaml';
import type { VariableSpec } from '../runbook.js';
import type { CellDefaults } from './cells.js';

export interface Frontmatter {
  data: Record<string, unknown>;
  title?: string;
  database?: string;
  variables: VariableSpec[];
  cellDefaults: CellDefaults;
  problems: string[];
}

/** Shells the executor runs by default; naming one changes nothing and keeps the shared session. */
const DEFAULT_SHELLS = new Set(['bash', 'sh']);

export function readFrontmatter(yaml: string): Frontmatter {
  const result: Frontmatter = { data: {}, variables: [], cellDefaults: {}, problems: [] };
  let data: unknown;
  try {
    data = parseYaml(yaml);
  } catch (error) {
    result.problems.push(`frontmatter is not valid YAML: ${firstLine((error as Error).message)}`);
    return result;
  }
  if (data === null || data === undefined) return result;
  if (typeof data !== 'object' || Array.isArray(data)) {
    result.problems.push('frontmatter must be a YAML mapping (key: value lines)');
    return result;
  }
  result.data = data as Record<string, unknown>;
  const { title, database, variables } = result.data;
  if (typeof title === 'string' || typeof title === 'number') result.title = String(title);
  if (typeof database === 'string') result.database = database;
  else if (database !== undefined) result.problems.push('frontmatter database must be a string (a URL or $ENV_VAR)');
  result.variables = readVariables(variables, result.problems);
  result.cellDefaults = readCellDefaults(result.data, result.problems);
  return result;
}

function readCellDefaults(data: Record<string, unknown>, problems: string[]): CellDefaults {
  const defaults: CellDefaults = {};
  const { shell, cwd } = data;
  if (typeof shell === 'string' && shell.trim() !== '') {
    if (!DEFAULT_SHELLS.has(shell.trim())) defaults.shell = shell.trim();
  } else if (shell !== undefined) problems.push('frontmatter shell must be a program name such as zsh or bash');
  if (typeof cwd === 'string' && cwd.trim() !== '') defaults.cwd = cwd.trim();
  else if (cwd !== undefined) problems.push('frontmatter cwd must be a directory, relative to the runbook or absolute');
  return defaults;
}

function readVariables(value: unknown, problems: string[]): VariableSpec[] {
  if (value === undefined || value === null) return [];
  const entries: [string, unknown][] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === 'string') entries.push([item, {}]);
      else if (item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string') {
        entries.push([(item as { name: string }).name, item]);
      } else problems.push('each item of frontmatter variables needs a name');
    }
  } else if (typeof value === 'object') entries.push(...Object.entries(value as Record<string, unknown>));
  else {
    problems.push('frontmatter variables must be a mapping NAME: {description, default, secret, pattern} or a list');
    return [];
  }
  return entries.map(([name, spec]) => readVariable(name, spec, problems));
}

function readVariable(name: string, spec: unknown, problems: string[]): VariableSpec {
  const variable: VariableSpec = { name };
  if (typeof spec === 'string') {
    variable.description = spec;
    return variable;
  }
  if (!spec || typeof spec !== 'object') return variable;
  const { description, default: fallback, secret, pattern } = spec as Record<string, unknown>;
  if (description !== undefined) variable.description = String(description);
  if (fallback !== undefined && fallback !== null) variable.default = String(fallback);
  if (secret !== undefined) variable.secret = secret === true || secret === 'true';
  if (pattern !== undefined) {
    const source = String(pattern);
    try {
      new RegExp(source);
      variable.pattern = source;
    } catch {
      problems.push(`variable ${name}: pattern ${JSON.stringify(source)} is not a valid regular expression`);
    }
  }
  return variable;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
