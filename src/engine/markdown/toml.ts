/**
 * The TOML that frontmatter (`+++` … `+++`, Hugo's and Runme's form) holds, read by
 * smol-toml (TOML 1.0, tested against the official suite): multi-line arrays, `"""`
 * strings, `[[tables]]` and the rest. A hand-written reader rejected valid TOML.
 *
 * Loaded on the first `+++` block only: most runbooks have YAML or no frontmatter, and
 * every `runbook` command parses a runbook, so they should not pay for a reader they never
 * use. smol-toml ships a CommonJS build, which `require` loads synchronously, keeping
 * `parseRunbook` synchronous.
 */
import { createRequire } from 'node:module';

export type TomlValue = string | number | boolean | TomlValue[] | { [key: string]: TomlValue };
type Table = { [key: string]: TomlValue };
type SmolToml = typeof import('smol-toml');

/** `message` ends "at line L, column C" (of the block), the form the YAML reader uses. */
export class TomlError extends Error {
  constructor(reason: string, readonly line: number, readonly column: number) {
    super(`${reason} at line ${line}, column ${column}`);
  }
}

let smolToml: SmolToml | undefined;

function reader(): SmolToml {
  smolToml ??= createRequire(import.meta.url)('smol-toml') as SmolToml;
  return smolToml;
}

/** The block as plain data; dates and times stay strings, as TOML wrote them. */
export function parseToml(text: string): Table {
  const toml = reader();
  let parsed: Record<string, unknown>;
  try {
    parsed = toml.parse(text);
  } catch (error) {
    if (!(error instanceof toml.TomlError)) throw error;
    // "Invalid TOML document: unfinished string\n\n1:  title = …": the reason is the first line.
    const reason = (error.message.split('\n')[0] ?? error.message).replace(/^Invalid TOML document: /, '');
    throw new TomlError(reason, error.line, error.column);
  }
  return plain(parsed) as Table;
}

function plain(value: unknown): TomlValue {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  }
  return value as TomlValue;
}
