/**
 * Result sets the way psql prints them: a centred header, `-+-` rule, columns padded
 * to their widest value, numbers right-aligned, NULL as empty (or a chosen text),
 * long values cut with `…` so one wide column cannot push the rest off the screen. Widths
 * are display columns (`日本語` is 6), so CJK and emoji columns line up.
 */
import { centreTo, displayWidth, padEndTo, padStartTo, truncateTo } from './text/width.js';

export interface TableOptions {
  /** Widest value (in columns) shown in a column before it is cut; default 60. */
  maxColumnWidth?: number;
  /** How NULL is shown; psql's default is the empty string. */
  nullText?: string;
}

const NUMERIC = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** One value as text on one line: NULL, booleans as t/f, JSON for objects, newlines as ↵. */
export function formatValue(value: unknown, nullText = ''): string {
  if (value === null || value === undefined) return nullText;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'string') return oneLine(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return oneLine(JSON.stringify(value) ?? String(value));
}

/** The table's lines, without the `(N rows)` footer. */
export function formatTable(columns: string[], rows: unknown[][], options: TableOptions = {}): string[] {
  const max = Math.max(options.maxColumnWidth ?? 60, 3);
  const nullText = options.nullText ?? '';
  const cells = rows.map((row) => columns.map((_, i) => truncateTo(formatValue(row[i], nullText), max)));
  const header = columns.map((name) => truncateTo(oneLine(name), max));
  const rightAligned = columns.map((_, i) => isNumericColumn(rows, i));
  const widths = columns.map((_, i) => Math.max(displayWidth(header[i]!), ...cells.map((row) => displayWidth(row[i]!))));

  const line = (values: string[], align: (text: string, i: number) => string) =>
    values.map((text, i) => ` ${align(text, i)} `).join('|').trimEnd();
  return [
    line(header, (text, i) => centreTo(text, widths[i]!)),
    widths.map((w) => '-'.repeat(w + 2)).join('+'),
    ...cells.map((row) => line(row, (text, i) => (rightAligned[i] ? padStartTo(text, widths[i]!) : padEndTo(text, widths[i]!)))),
  ];
}

/** Commands whose tag carries a row count, as psql prints it. */
const COUNTED = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'MOVE', 'FETCH', 'COPY']);

/** psql's command tag: `UPDATE 0`, `INSERT 0 1`, `CREATE TABLE` — a zero is said, never dropped. */
export function commandTag(command: string, rowCount: number): string {
  const upper = (command || '').toUpperCase();
  return COUNTED.has(upper) ? `${upper === 'INSERT' ? 'INSERT 0' : upper} ${rowCount}` : upper;
}

/** `(1 row)`, `(3 rows)`; with a cap, `(40 rows, first 2 shown)`. */
export function rowCountFooter(rowCount: number, shown: number, truncated: boolean): string {
  const rows = `${rowCount} ${rowCount === 1 ? 'row' : 'rows'}`;
  return truncated || shown < rowCount ? `(${rows}, first ${shown} shown)` : `(${rows})`;
}

function isNumericColumn(rows: unknown[][], index: number): boolean {
  let seen = false;
  for (const row of rows) {
    const value = row[index];
    if (value === null || value === undefined) continue;
    if (typeof value === 'number' || typeof value === 'bigint' || (typeof value === 'string' && NUMERIC.test(value))) seen = true;
    else return false;
  }
  return seen;
}

function oneLine(text: string): string {
  return text.replace(/\r?\n/g, '↵').replace(/\t/g, ' ');
}
