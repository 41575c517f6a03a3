/**
 * Which fences are executable. Every other fence is documentation: shown, never run.
 */
import type { Lang } from '../runbook.js';

const ALIASES: Record<string, Lang> = {
  sql: 'sql', postgres: 'sql', postgresql: 'sql',
  powershell: 'powershell', pwsh: 'powershell', ps1: 'powershell',
  sh: 'sh', bash: 'sh', shell: 'sh',
};

/** The language family for a fence tag, case-insensitive; undefined for documentation. */
export function languageOf(tag: string): Lang | undefined {
  return Object.hasOwn(ALIASES, tag.toLowerCase()) ? ALIASES[tag.toLowerCase()] : undefined;
}

/** The executable tag a typo such as `shel` or `sqll` most likely meant, if any. */
export function nearMissLanguage(tag: string): string | undefined {
  const lower = tag.toLowerCase();
  if (lower.length < 3 || languageOf(lower)) return undefined;
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
