/**
 * Environment references in a PowerShell cell: `$env:NAME`, and `$NAME` / `${NAME}` that the
 * cell does not assign and PowerShell does not set (its automatic variables: one list,
 * automatic.ts). Names are case-insensitive, as PowerShell has them.
 */
import { shellRegions } from '../../markdown/shell-lexer.js';
import { POWERSHELL_AUTOMATIC } from './automatic.js';

const PLAIN_VARIABLE = /\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)(?![\w:])/g;

export function powershellEnvRefs(source: string): string[] {
  const found = new Set<string>();
  const assigned = powershellAssignedNames(source);
  for (const region of shellRegions(source, 'powershell')) {
    if (region.kind !== 'code' && region.kind !== 'string') continue;
    const text = source.slice(region.start, region.end);
    for (const match of text.matchAll(/\$\{?env:([A-Za-z_]\w*)\}?/gi)) {
      if (!assigned.has(match[1]!.toLowerCase())) found.add(match[1]!);
    }
    for (const match of text.matchAll(PLAIN_VARIABLE)) {
      const name = (match[1] ?? match[2])!;
      const lower = name.toLowerCase();
      if (!assigned.has(lower) && !POWERSHELL_AUTOMATIC.has(lower)) found.add(name);
    }
  }
  return [...found];
}

/**
 * PowerShell variables a cell reads by plain name (`$X`, `${X}`; not `$env:X`), that it does
 * not assign itself and PowerShell does not set: each once, with the offset of its first read.
 */
export function powershellVariableReads(source: string): { name: string; offset: number }[] {
  const assigned = powershellAssignedNames(source);
  const found = new Map<string, number>();
  for (const region of shellRegions(source, 'powershell')) {
    if (region.kind !== 'code' && region.kind !== 'string') continue;
    const text = source.slice(region.start, region.end);
    // A single-quoted string expands nothing.
    if (region.kind === 'string' && text.startsWith("'")) continue;
    for (const match of text.matchAll(PLAIN_VARIABLE)) {
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
  const names = new Set<string>();
  for (const match of source.matchAll(/\$([A-Za-z_]\w*)\s*(?:[+\-*/]?=(?!=))/g)) names.add(match[1]!.toLowerCase());
  for (const match of source.matchAll(/foreach\s*\(\s*\$([A-Za-z_]\w*)\s+in\b/gi)) names.add(match[1]!.toLowerCase());
  return names;
}
