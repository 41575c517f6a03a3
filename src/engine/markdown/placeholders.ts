/**
 * What a cell needs from outside: `<NAME>` placeholders the operator supplies, and
 * `$NAME` / `${NAME}` / `$env:NAME` environment references.
 */
import type { Lang } from '../runbook.js';
import { sqlRegions, type Region } from '../lang/sql/lexer.js';
import { PLACEHOLDER_NAME } from '../placeholders/names.js';
import { shellRegions } from './shell-lexer.js';
import { POWERSHELL_AUTOMATIC } from '../lang/powershell/automatic.js';

/** `<GOOD_SHA>`, `<pod-name>`, `<app.version>`; never `<>`, `a < b` or `<<EOF`. */
export const PLACEHOLDER = new RegExp(`<(${PLACEHOLDER_NAME})>`, 'g');


function regionsOf(source: string, lang: Lang): Region[] {
  return lang === 'sql' ? sqlRegions(source) : shellRegions(source, lang);
}

/** `<NAME>` placeholders in order of first appearance, unique; comments are skipped. */
export function findPlaceholders(source: string, lang: Lang): string[] {
  const found = new Set<string>();
  for (const region of regionsOf(source, lang)) {
    if (region.kind === 'comment') continue;
    for (const match of source.slice(region.start, region.end).matchAll(PLACEHOLDER)) found.add(match[1]!);
  }
  return [...found];
}

/** Environment references in order of first appearance, unique; local variables are not. */
export function findEnvRefs(source: string, lang: Lang): string[] {
  const found = new Set<string>();
  const expanding = regionsOf(source, lang).filter((region) =>
    lang === 'sql' ? region.kind === 'code' : region.kind === 'code' || region.kind === 'string');
  const assigned = lang === 'sql' ? new Set<string>() : assignedNames(source, lang);
  for (const region of expanding) {
    const text = source.slice(region.start, region.end);
    for (const name of referencesIn(text, lang)) {
      const local = lang === 'powershell' ? name.toLowerCase() : name;
      if (assigned.has(local)) continue;
      if (lang === 'powershell' && POWERSHELL_AUTOMATIC.has(local)) continue;
      found.add(name);
    }
  }
  return [...found];
}

/**
 * PowerShell variables a cell reads by plain name (`$X`, `${X}`; not `$env:X`), that it does
 * not assign itself and PowerShell does not set: each once, with the offset of its first read.
 */
export function powershellVariableReads(source: string): { name: string; offset: number }[] {
  const assigned = assignedNames(source, 'powershell');
  const found = new Map<string, number>();
  for (const region of regionsOf(source, 'powershell')) {
    if (region.kind !== 'code' && region.kind !== 'string') continue;
    const text = source.slice(region.start, region.end);
    // A single-quoted string expands nothing.
    if (region.kind === 'string' && text.startsWith("'")) continue;
    for (const match of text.matchAll(/\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)(?![\w:])/g)) {
      const name = (match[1] ?? match[2])!;
      const lower = name.toLowerCase();
      if (assigned.has(lower) || POWERSHELL_AUTOMATIC.has(lower) || found.has(name)) continue;
      found.set(name, region.start + match.index);
    }
  }
  return [...found].map(([name, offset]) => ({ name, offset }));
}

/** PowerShell variables a cell assigns (`$x = 1`, `foreach ($x in …)`), lower-case. */
export function powershellAssignedNames(source: string): Set<string> {
  return assignedNames(source, 'powershell');
}

function* referencesIn(text: string, lang: Lang): Iterable<string> {
  if (lang === 'sql') {
    // `$name$` opens a dollar quote and `$1` is a parameter: neither is the environment.
    for (const match of text.matchAll(/\$([A-Za-z_]\w*)(?![\w$])/g)) yield match[1]!;
    return;
  }
  if (lang === 'powershell') {
    for (const match of text.matchAll(/\$\{?env:([A-Za-z_]\w*)\}?/gi)) yield match[1]!;
    for (const match of text.matchAll(/\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)(?![\w:])/g)) yield (match[1] ?? match[2])!;
    return;
  }
  for (const match of text.matchAll(/\$\{([A-Za-z_]\w*)[^}]*\}|\$([A-Za-z_]\w*)/g)) yield (match[1] ?? match[2])!;
}

/** Names the cell sets itself (`X=1`, `export X=`, `for X in`, `$x = 1`, `foreach ($x in`). */
function assignedNames(source: string, lang: 'sh' | 'powershell'): Set<string> {
  const names = new Set<string>();
  if (lang === 'powershell') {
    for (const match of source.matchAll(/\$([A-Za-z_]\w*)\s*(?:[+\-*/]?=(?!=))/g)) names.add(match[1]!.toLowerCase());
    for (const match of source.matchAll(/foreach\s*\(\s*\$([A-Za-z_]\w*)\s+in\b/gi)) names.add(match[1]!.toLowerCase());
    return names;
  }
  for (const match of source.matchAll(/(?:^|[\s;&|(])(?:export\s+|local\s+|declare\s+(?:-\w+\s+)*|readonly\s+)?([A-Za-z_]\w*)\+?=/gm)) names.add(match[1]!);
  for (const match of source.matchAll(/\bfor\s+([A-Za-z_]\w*)\s+in\b/g)) names.add(match[1]!);
  for (const match of source.matchAll(/\bread\s+(?:-\w+\s+(?:\S+\s+)?)*([A-Za-z_]\w*(?:\s+[A-Za-z_]\w*)*)/g)) {
    for (const name of match[1]!.split(/\s+/)) names.add(name);
  }
  return names;
}
