/**
 * What a cell needs from outside: `<NAME>` placeholders the operator supplies, and
 * `$NAME` / `${NAME}` / `$env:NAME` environment references (each language reads its own:
 * lang/<language>/language.ts).
 */
import type { Lang } from '../runbook.js';
import { languageOf } from '../lang/language.js';
import { PLACEHOLDER } from '../placeholders/names.js';

export { PLACEHOLDER };

/** `<NAME>` placeholders in order of first appearance, unique; comments are skipped. */
export function findPlaceholders(source: string, lang: Lang): string[] {
  const found = new Set<string>();
  for (const region of languageOf(lang).regions(source)) {
    if (region.kind === 'comment') continue;
    for (const match of source.slice(region.start, region.end).matchAll(PLACEHOLDER)) found.add(match[1]!);
  }
  return [...found];
}

/** Environment references in order of first appearance, unique; local variables are not. */
export function findEnvRefs(source: string, lang: Lang): string[] {
  return languageOf(lang).envRefs(source);
}
