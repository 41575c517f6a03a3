/**
 * Frontmatter, YAML (`---`), TOML (`+++`) or JSON (a `{…}` object on the first lines, as
 * Runme writes it): `title`, `database` (a URL or `$ENV_VAR`), and `variables`, either a
 * map `NAME: {description, default, secret, pattern}` (or `NAME: description`) or a list.
 * From Runme: `shell:` (the interpreter of shell cells) and `cwd:` (relative to the
 * document); its `skipPrompts`, `category` and `runme:` block are accepted and kept.
 */
import { createRequire } from 'node:module';
import type { VariableSpec } from '../runbook.js';
import type { LanguageDefaults as CellDefaults } from '../lang/cell-language.js';
import { parseToml } from './toml.js';
import { errorActionOf } from './attributes.js';

export type FrontmatterFormat = 'yaml' | 'toml' | 'json';

type YamlReader = Pick<typeof import('js-yaml'), 'load' | 'CORE_SCHEMA'>;
let yaml: YamlReader | undefined;


/**
 * Loads the YAML reader before a synchronous parse of a text that opens with `---`, so a
 * runbook without YAML frontmatter never pays for it; the CLI's bundle (scripts/bundle.mjs)
 * carries it in one chunk. Readers of a file call it (readRunbookFile, lint).
 *
 * The reader is js-yaml (one 130 KB module), not `yaml` (230 KB in the bundle): loading and
 * first parse of dragonfly.md's frontmatter ~23 → ~10 ms, ~8% of `runbook list` (issue #29).
 */
export async function prepareFrontmatterReader(text: string): Promise<void> {
  if (yaml !== undefined) return;
  // The first line as parseRunbook gives it to findFrontmatter: no BOM, any line end.
  const first = text.replace(/^\uFEFF/, '').split(/\r\n?|\n/, 1);
  if (opening(first)?.[0] === 'yaml') yaml = await import('js-yaml');
}

/**
 * The YAML reader: the one prepareFrontmatterReader loaded, else the package's CommonJS build,
 * required on the spot, for callers that parse a string they already hold; both are the same
 * js-yaml version from package.json.
 *
 * YAML 1.2's core schema, as the spec's recommended default: `yes`, `on` and `2026-01-01`
 * stay strings, where js-yaml's default schema would make a Date of the last. An anchor is
 * one object wherever its aliases stand (js-yaml never copies it), so an alias bomb is a
 * few small objects, not billions: nothing here walks the data recursively.
 */
function parseYaml(text: string): unknown {
  yaml ??= createRequire(import.meta.url)('js-yaml') as YamlReader;
  try {
    return yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch (error) {
    // "at line L, column C" of the block, as TomlError says it: parseRunbook turns it into the document's line.
    const { reason, mark } = error as { reason?: unknown; mark?: { line?: unknown; column?: unknown } };
    if (typeof reason !== 'string' || typeof mark?.line !== 'number' || typeof mark.column !== 'number') throw error;
    throw new Error(`${reason} at line ${mark.line + 1}, column ${mark.column + 1}`);
  }
}

export interface FrontmatterBlock {
  format: FrontmatterFormat;
  /** The text between the delimiters (for JSON, the whole object). */
  lines: string[];
  /** 1-based line of the block's last line. */
  lastLine: number;
}

const DELIMITERS: [FrontmatterFormat, string][] = [['yaml', '---'], ['toml', '+++']];

/** The delimited format (and its delimiter) whose opening line the document starts with; a delimiter may carry trailing spaces. */
function opening(lines: readonly string[]): [FrontmatterFormat, string] | undefined {
  const first = lines[0]?.trimEnd();
  return DELIMITERS.find(([, delimiter]) => first === delimiter);
}

/**
 * The frontmatter at the top of a document's lines, if any. A delimiter may carry trailing
 * spaces (`--- `), which editors leave and readers do not see; a JSON object must parse.
 */
export function findFrontmatter(lines: readonly string[]): FrontmatterBlock | undefined {
  const delimited = opening(lines);
  if (delimited) {
    const [format, delimiter] = delimited;
    const close = lines.findIndex((line, index) => index > 0 && line.trimEnd() === delimiter);
    return close > 0 ? { format, lines: lines.slice(1, close), lastLine: close + 1 } : undefined;
  }
  const first = lines[0]?.trimEnd();
  if (first !== '{') return undefined;
  for (let index = 1; index < lines.length; index += 1) {
    if (lines[index]!.trimEnd() !== '}') continue;
    const object = lines.slice(0, index + 1);
    if (isJsonObject(object.join('\n'))) return { format: 'json', lines: object, lastLine: index + 1 };
  }
  return undefined;
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return !!value && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

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

export function readFrontmatter(text: string, format: FrontmatterFormat = 'yaml'): Frontmatter {
  const result: Frontmatter = { data: {}, variables: [], cellDefaults: {}, problems: [] };
  let data: unknown;
  try {
    data = format === 'toml' ? parseToml(text) : format === 'json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    result.problems.push(`frontmatter is not valid ${format.toUpperCase()}: ${firstLine((error as Error).message)}`);
    return result;
  }
  if (data === null || data === undefined) return result;
  if (typeof data !== 'object' || Array.isArray(data)) {
    result.problems.push(format === 'yaml' ? 'frontmatter must be a YAML mapping (key: value lines)' : `frontmatter must be a ${format.toUpperCase()} table of keys`);
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
  const { shell, cwd, errorAction } = data;
  if (errorAction !== undefined) {
    const action = errorActionOf(errorAction);
    if (action === undefined) problems.push(`frontmatter errorAction must be stop or continue, got ${JSON.stringify(errorAction)}`);
    else defaults.errorAction = action;
  }
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
