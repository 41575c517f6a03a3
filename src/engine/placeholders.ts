/**
 * Binding placeholders: a value supplied for `<NAME>` is bound, never pasted. Each
 * language binds its own way (lang/<language>/language.ts): SQL gets a quoted literal;
 * sh and PowerShell get an environment variable reference and the value in `env`.
 * Detection is the parser's job: `names` are the cell's placeholders.
 */
import { languageOf, type BoundSource } from './lang/language.js';
import type { ParseReport, PowerShellParser } from './lang/powershell/placeholders.js';
import type { Lang } from './runbook.js';

export type { PowerShellParser } from './lang/powershell/placeholders.js';
export type { BoundSource } from './lang/language.js';

export { quoteLiteral } from './lang/sql/placeholders.js';
export { envNames, VALUE_PREFIX } from './placeholders/names.js';

/**
 * Rewrites `<NAME>` for each of `names` in `source`. Throws an `InputError` (one clear line)
 * when a name has no value or a value cannot be bound where it stands. PowerShell needs
 * its parser's report on the source (see bindCellPlaceholders).
 */
export function bindPlaceholders(lang: Lang, source: string, names: string[], values: Record<string, string>, parsed?: ParseReport, reserved: readonly string[] = []): BoundSource {
  return languageOf(lang).bindParsed(source, names, values, parsed, reserved);
}

/** bindPlaceholders with the checks that need a parser first: SQL's parse tree, PowerShell's own parser (the run's pwsh session). */
export async function bindCellPlaceholders(
  lang: Lang,
  source: string,
  names: string[],
  values: Record<string, string>,
  parser: PowerShellParser | undefined,
  prompted: readonly string[] = [],
): Promise<BoundSource> {
  return languageOf(lang).bind({ source, names, values, ...(parser ? { parser } : {}), prompted });
}
