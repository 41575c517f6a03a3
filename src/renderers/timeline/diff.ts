/**
 * A unified diff of a cell's source before and after an edit (`diff -u` style, three
 * lines of context), so a postmortem shows exactly what the operator changed. The diff is
 * jsdiff's (Myers, linear in the size of the change): a one-line edit of a 2,500-line cell
 * is `+1 −1`, where a table-based longest common subsequence had to give up at that size.
 */
import { structuredPatch } from 'diff';

const CONTEXT = 3;
/**
 * Past this many changed lines Myers' work grows with the square of the change (a
 * rewritten 2,500-line cell took ~3.5 s at 5,000, ~0.25 s at 1,000 here), and a diff
 * that large says no more than "replaced": it is shown as all removed, all added (still exact).
 */
const MAX_EDIT_LENGTH = 1_000;

export interface UnifiedDiff {
  text: string;
  added: number;
  removed: number;
}

/** jsdiff's hunks start at the next line; `diff -u` names the line before an empty side (`-0,0`, `-5,0`). */
interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: string[];
}

export function unifiedDiff(before: string, after: string, name = 'cell'): UnifiedDiff {
  const a = asLines(before);
  const b = asLines(after);
  if (a === b) return { text: '', added: 0, removed: 0 };
  const patch = structuredPatch(name, name, a, b, undefined, undefined, { context: CONTEXT, maxEditLength: MAX_EDIT_LENGTH });
  const hunks: Hunk[] = patch?.hunks ?? [replaceAll(a, b)];
  let added = 0;
  let removed = 0;
  for (const line of hunks.flatMap((hunk) => hunk.lines)) {
    if (line.startsWith('+')) added += 1;
    else if (line.startsWith('-')) removed += 1;
  }
  if (!added && !removed) return { text: '', added, removed };
  const lines = [`--- ${name} (before)`, `+++ ${name} (after)`];
  for (const hunk of hunks) lines.push(`@@ -${start(hunk.oldStart, hunk.oldLines)},${hunk.oldLines} +${start(hunk.newStart, hunk.newLines)},${hunk.newLines} @@`, ...hunk.lines);
  return { text: `${lines.join('\n')}\n`, added, removed };
}

/**
 * LF line ends, and a last line end where the text has none: an edit that only adds or
 * drops the final newline is no change an operator made, and needs no "\ No newline" marker.
 */
function asLines(text: string): string {
  const lf = text.replace(/\r\n/g, '\n');
  return lf === '' || lf.endsWith('\n') ? lf : `${lf}\n`;
}

function start(line: number, count: number): number {
  return count === 0 ? line - 1 : line;
}

function replaceAll(a: string, b: string): Hunk {
  const split = (text: string) => (text === '' ? [] : text.slice(0, -1).split('\n'));
  const removed = split(a);
  const added = split(b);
  return {
    oldStart: 1,
    oldLines: removed.length,
    newStart: 1,
    newLines: added.length,
    lines: [...removed.map((line) => `-${line}`), ...added.map((line) => `+${line}`)],
  };
}
