/**
 * A unified diff of a cell's source before and after an edit (`diff -u` style, three
 * lines of context), so a postmortem shows exactly what the operator changed.
 */

const CONTEXT = 3;
/** Beyond this many line pairs the edit is shown as all removed, all added (still exact). */
const MAX_CELLS = 4_000_000;

type Op = { kind: ' ' | '-' | '+'; text: string; oldLine: number; newLine: number };

export interface UnifiedDiff {
  text: string;
  added: number;
  removed: number;
}

export function unifiedDiff(before: string, after: string, name = 'cell'): UnifiedDiff {
  const a = splitLines(before);
  const b = splitLines(after);
  const ops = a.length * b.length > MAX_CELLS ? replaceAll(a, b) : lcsOps(a, b);
  const added = ops.filter((o) => o.kind === '+').length;
  const removed = ops.filter((o) => o.kind === '-').length;
  if (!added && !removed) return { text: '', added, removed };
  const lines = [`--- ${name} (before)`, `+++ ${name} (after)`, ...hunks(ops)];
  return { text: `${lines.join('\n')}\n`, added, removed };
}

function splitLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function replaceAll(a: string[], b: string[]): Op[] {
  return [
    ...a.map((text, i) => ({ kind: '-' as const, text, oldLine: i + 1, newLine: 0 })),
    ...b.map((text, i) => ({ kind: '+' as const, text, oldLine: a.length, newLine: i + 1 })),
  ];
}

/** Longest common subsequence by dynamic programming, walked forwards into keep/remove/add. */
function lcsOps(a: string[], b: string[]): Op[] {
  const width = b.length + 1;
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      table[i * width + j] = a[i] === b[j] ? (table[(i + 1) * width + j + 1] as number) + 1 : Math.max(table[(i + 1) * width + j] as number, table[i * width + j + 1] as number);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', text: a[i] as string, oldLine: ++i, newLine: ++j });
    } else if (i < a.length && (j >= b.length || (table[(i + 1) * width + j] as number) >= (table[i * width + j + 1] as number))) {
      // Removals before additions, as `diff -u` shows a changed line.
      ops.push({ kind: '-', text: a[i] as string, oldLine: ++i, newLine: j });
    } else {
      ops.push({ kind: '+', text: b[j] as string, oldLine: i, newLine: ++j });
    }
  }
  return ops;
}

/** Groups changes with their context into `@@ -l,n +l,n @@` hunks. */
function hunks(ops: Op[]): string[] {
  const changed = ops.map((o, index) => (o.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, (changed[k] as number) - CONTEXT);
    let end = Math.min(ops.length - 1, (changed[k] as number) + CONTEXT);
    while (k + 1 < changed.length && (changed[k + 1] as number) - CONTEXT <= end + 1) {
      k += 1;
      end = Math.min(ops.length - 1, (changed[k] as number) + CONTEXT);
    }
    k += 1;
    const slice = ops.slice(start, end + 1);
    const oldCount = slice.filter((o) => o.kind !== '+').length;
    const newCount = slice.filter((o) => o.kind !== '-').length;
    const first = slice[0] as Op;
    const oldStart = first.kind === '+' ? first.oldLine + (oldCount ? 1 : 0) : first.oldLine;
    const newStart = first.kind === '-' ? first.newLine + (newCount ? 1 : 0) : first.newLine;
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`, ...slice.map((o) => `${o.kind}${o.text}`));
  }
  return out;
}
