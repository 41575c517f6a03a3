/**
 * Which fences are executable: each language's aliases (lang/<language>/language.ts).
 * Every other fence is documentation: shown, never run.
 */
import type { Lang } from '../runbook.js';
import type { InfoString } from '../markdown/attributes.js';
import { LANGUAGES } from './language.js';

const ALIASES: Record<string, Lang> = Object.fromEntries(LANGUAGES.flatMap((language) => language.aliases.map((alias) => [alias, language.lang])));

/**
 * The language family of a fence as a cell, or undefined for documentation. As in Runme, a
 * fence without a language but with attributes (```` ```{"name":"x"} ````) is a shell cell,
 * and `ignore` or `transform=false` make a fence documentation whatever its language.
 */
export function cellLanguage(info: InfoString): Lang | undefined {
  if (info.attributes.ignore === true || info.attributes.transform === false) return undefined;
  if (info.tag === '' && info.hasAttributes) return 'sh';
  return langOfTag(info.tag);
}

/** The language family for a fence tag, case-insensitive; undefined for documentation. */
export function langOfTag(tag: string): Lang | undefined {
  return Object.hasOwn(ALIASES, tag.toLowerCase()) ? ALIASES[tag.toLowerCase()] : undefined;
}

/** The executable tag a typo such as `shel` or `sqll` most likely meant, if any. */
export function nearMissLanguage(tag: string): string | undefined {
  const lower = tag.toLowerCase();
  if (lower.length < 3 || langOfTag(lower)) return undefined;
  return Object.keys(ALIASES).find((alias) => alias.length >= 3 && withinOneEdit(lower, alias));
}

function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i += 1;
      j += 1;
      continue;
    }
    edits += 1;
    if (edits > 1) return false;
    if (a.length > b.length) i += 1;
    else if (b.length > a.length) j += 1;
    else {
      i += 1;
      j += 1;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}
