/**
 * The name Runme gives a cell that has none, from its first command, so `--only echo-hello`
 * finds the cell a Runme user knows by that name. Runme's rule: the first line that is not
 * a comment; an assignment gives its variable (`temp_dir=$(mktemp)` → `tempdir`); else the
 * first two words of at most 32 characters, lowercased, letters and digits only, the words
 * joined by `-` (`echo "Hello, runme!"` → `echo-hello`). Repeats get `-2`, `-3`…
 */
import type { Cell } from '../runbook.js';

export function runmeNameOf(source: string): string | undefined {
  const first = source.split('\n').map((line) => line.trim()).find((line) => line !== '' && !line.startsWith('#'));
  if (first === undefined) return undefined;
  const name = sanitise(first);
  return name === '' ? undefined : name;
}

function sanitise(text: string): string {
  const equals = text.indexOf('=');
  if (equals > 0) return sanitise(text.slice(0, equals));
  const fragments = text.slice(0, 32).split(' ');
  const words = fragments.length > 1 ? fragments.slice(0, 2).join(' ') : fragments[0]!;
  let out = '';
  for (const char of words.toLowerCase()) {
    if (char === ' ' && out.length > 0) out += '-';
    else if (/[0-9a-z]/.test(char)) out += char;
  }
  return out;
}

/** Runme's names for the cells without a `name`, unique in document order. */
export function assignRunmeNames(cells: Cell[]): void {
  const seen = new Map<string, number>();
  for (const cell of cells) {
    if (cell.attributes.name !== undefined) continue;
    const base = runmeNameOf(cell.source);
    if (base === undefined) continue;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    cell.runmeName = count === 1 ? base : `${base}-${count}`;
  }
}
