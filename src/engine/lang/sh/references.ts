/**
 * Environment references in an sh cell: `$NAME` and `${NAME…}` in code and in "…" strings,
 * leaving out the names the cell sets itself (`X=1`, `export X=`, `for X in`, `read X`).
 */
import { shellRegions } from '../../markdown/shell-lexer.js';

export function shEnvRefs(source: string): string[] {
  const found = new Set<string>();
  const assigned = shAssignedNames(source);
  for (const region of shellRegions(source, 'sh')) {
    if (region.kind !== 'code' && region.kind !== 'string') continue;
    for (const match of source.slice(region.start, region.end).matchAll(/\$\{([A-Za-z_]\w*)[^}]*\}|\$([A-Za-z_]\w*)/g)) {
      const name = (match[1] ?? match[2])!;
      if (!assigned.has(name)) found.add(name);
    }
  }
  return [...found];
}

function shAssignedNames(source: string): Set<string> {
  const names = new Set<string>();
  for (const match of source.matchAll(/(?:^|[\s;&|(])(?:export\s+|local\s+|declare\s+(?:-\w+\s+)*|readonly\s+)?([A-Za-z_]\w*)\+?=/gm)) names.add(match[1]!);
  for (const match of source.matchAll(/\bfor\s+([A-Za-z_]\w*)\s+in\b/g)) names.add(match[1]!);
  for (const match of source.matchAll(/\bread\s+(?:-\w+\s+(?:\S+\s+)?)*([A-Za-z_]\w*(?:\s+[A-Za-z_]\w*)*)/g)) {
    for (const name of match[1]!.split(/\s+/)) names.add(name);
  }
  return names;
}
