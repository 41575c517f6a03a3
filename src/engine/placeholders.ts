/**
 * Binding placeholders: a value supplied for `<NAME>` is bound, never pasted.
 * SQL gets a quoted literal; sh and PowerShell get an environment variable reference
 * and the value in `env`. Detection is the parser's job: `names` are the cell's placeholders.
 */
import { InputError } from './errors.js';
import type { Lang } from './runbook.js';
import { envNames, valueOf } from './placeholders/names.js';
import { bindSql, bindSqlLandings } from './lang/sql/placeholders.js';
import { checkLandings } from './lang/sql/landings.js';
import { reparsedCalls, reparsedMessage, reparsedPlaceholders } from './lang/sql/reparsed.js';
import { lineAt } from './placeholders/names.js';
import { bindSh } from './lang/sh/placeholders.js';
import { bindExportPrompts } from './lang/sh/prompt-env.js';
import { bindPowerShell, placeholderOccurrences, type ParseReport, type PowerShellParser } from './lang/powershell/placeholders.js';

export type { PowerShellParser } from './lang/powershell/placeholders.js';

export { quoteLiteral } from './lang/sql/placeholders.js';
export { envNames } from './placeholders/names.js';

export interface BoundSource {
  /** The source to run: placeholders rewritten to literals (SQL) or env references (shells). */
  source: string;
  /** Variables the shell must see for the references in `source` (empty for SQL). */
  env: Record<string, string>;
}

/**
 * Rewrites `<NAME>` for each of `names` in `source`. Throws an `InputError` (one clear line)
 * when a name has no value or a value cannot be bound where it stands. PowerShell needs
 * its parser's report on the source (see bindCellPlaceholders).
 */
export function bindPlaceholders(lang: Lang, source: string, names: string[], values: Record<string, string>, parsed?: ParseReport, reserved: readonly string[] = []): BoundSource {
  if (lang === 'sql') return { source: bindSql(source, names, values), env: {} };
  const variables = envNames(names, reserved);
  const envName = (name: string) => `${VALUE_PREFIX}${variables.get(name) ?? name}`;
  const env: Record<string, string> = {};
  for (const name of new Set(names)) env[envName(name)] = valueOf(name, values);
  const bound =
    lang === 'sh'
      ? bindSh(source, names, { envName, valueOf: (name) => valueOf(name, values) })
      : names.length === 0 ? source : bindPowerShell(source, names, envName, parsed ?? noParser(names));
  return { source: bound, env };
}

/** bindPlaceholders, asking PowerShell's own parser (the run's pwsh session) first for a PowerShell cell. */
export async function bindCellPlaceholders(
  lang: Lang,
  source: string,
  names: string[],
  values: Record<string, string>,
  parser: PowerShellParser | undefined,
  prompted: readonly string[] = [],
): Promise<BoundSource> {
  if (lang === 'sql') {
    // The parse tree sees a query argument built by concatenation or a quoted function name; the lexical check in bindSql does not.
    const found = reparsedPlaceholders(source, names)[0] ?? (await reparsedCalls(source, names))[0];
    if (found) throw new InputError(reparsedMessage(found, lineAt(source, found.offset)));
    // PostgreSQL's own scanner, not the binder's lexer, has the last word on where each value landed.
    const bound = bindSqlLandings(source, names, values);
    await checkLandings(bound.text, bound.landings, source);
    return { source: bound.text, env: {} };
  }
  if (lang === 'sh' && prompted.length) return bindShCell(source, names, values, prompted);
  if (lang !== 'powershell' || names.length === 0) return bindPlaceholders(lang, source, names, values);
  if (!parser) noParser(names);
  const report = await parser!.parse(source, placeholderOccurrences(source, names).map((o) => o.at));
  return bindPlaceholders(lang, source, names, values, report);
}

/**
 * An sh cell with prompted exports (promptEnv): each `export NAME=…` the plan asks for takes
 * `${RUNBOOK_VAR_NAME}`, then the placeholders are bound as always. The exports are
 * rewritten first, on the source as written, and put no `<` into it.
 */
async function bindShCell(source: string, names: string[], values: Record<string, string>, prompted: readonly string[]): Promise<BoundSource> {
  const withValues = prompted.filter((name) => values[name] !== undefined);
  const rewritten = await bindExportPrompts(source, withValues, (name) => `${VALUE_PREFIX}${name}`);
  const bound = bindPlaceholders('sh', rewritten, names, values, undefined, withValues);
  for (const name of withValues) bound.env[`${VALUE_PREFIX}${name}`] = values[name]!;
  return bound;
}

function noParser(names: readonly string[]): never {
  throw new InputError(`binding <${names[0]}> in a PowerShell cell needs PowerShell's parser: install pwsh (PowerShell 7), see the README`);
}

/**
 * Values reach shells under names of their own, so no placeholder can set a variable the
 * shell, the loader or a tool reads (`BASH_ENV`, `LD_PRELOAD`, `PATH`, `DATABASE_URL`).
 */
export const VALUE_PREFIX = 'RUNBOOK_VAR_';
