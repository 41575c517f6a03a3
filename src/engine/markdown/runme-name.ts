/**
 * The name Runme gives a cell that has none, from its first command, so `--only echo-hello`
 * finds the cell a Runme user knows by that name. Runme's rule: the first line that is not
 * a comment; an assignment gives its variable (`temp_dir=$(mktemp)` → `tempdir`); else the
 * first two words of at most 32 characters, lowercased, letters and digits only, the words
 * joined by `-` (`echo "Hello, runme!"` → `echo-hello`). Repeats get `-2`, `-3`…
 */
import type { Cell } from '../runbook.js';
import { readConsoleSession } from './console-session.js';

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

/**
 * Runme's names for the cells without a `name`, unique in document order. Runme numbers
 * every unnamed fence (a language-less one, a `js` one), so those count too, though they
 * are not cells here: `echo-hello-3` is the same cell in both tools.
 */
export function assignRunmeNames(cells: Cell[], otherFences: readonly { line: number; value: string }[] = []): void {
  const seen = new Map<string, number>();
  const fences = [
    ...cells.filter((cell) => cell.attributes.name === undefined).map((cell) => ({ line: cell.line, source: cell.source, cell })),
    ...otherFences.map((fence) => ({ line: fence.line, source: readConsoleSession(fence.value, 'sh')?.source ?? fence.value, cell: undefined })),
  ].sort((a, b) => a.line - b.line);
  for (const { source, cell } of fences) {
    const base = runmeNameOf(source);
    if (base === undefined) continue;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    if (cell) cell.runmeName = count === 1 ? base : `${base}-${count}`;
  }
}
