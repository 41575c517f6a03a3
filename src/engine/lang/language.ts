/**
 * The languages, and `languageOf(cell)`: the one way the engine finds what a cell's
 * language does (cell-language.ts). A new language is listed here.
 */
import type { Lang } from '../runbook.js';
import type { CellLanguage } from './cell-language.js';
import { sqlLanguage } from './sql/language.js';
import { shLanguage } from './sh/language.js';
import { powershellLanguage } from './powershell/language.js';


export type { AttributeDefaults, BindRequest, CommandsInput, BoundSource, CellLanguage, ConsoleDialectName, LanguageDefaults, Region } from './cell-language.js';

export const LANGUAGES: readonly CellLanguage[] = [sqlLanguage, powershellLanguage, shLanguage];

const BY_LANG: Record<Lang, CellLanguage> = { sql: sqlLanguage, powershell: powershellLanguage, sh: shLanguage };

/** The language of a cell (or a plan, an event: anything with its `lang`). */
export function languageOf(of: Lang | { lang: Lang }): CellLanguage {
  return BY_LANG[typeof of === 'string' ? of : of.lang];
}
