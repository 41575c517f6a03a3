/**
 * Output items as screen lines, so the live pane can show exactly the last N lines
 * that fit and a finished cell prints its whole (capped) record once.
 */
import { noticeLine } from '../notice.js';
import { commandTag, formatTable, formatValue, rowCountFooter } from '../table.js';
import { displayWidth, padEndTo } from '../text/width.js';
import type { OutputBuffer, OutputItem } from './state.js';

export type LineTone = 'stdout' | 'stderr' | 'notice' | 'title' | 'table' | 'meta' | 'error' | 'hint';

export interface ScreenLine {
  text: string;
  tone: LineTone;
}

/**
 * `width`: the screen's width; a table wider than it is shown expanded (one column per
 * line, like psql's \x). Without it (the pager) every table keeps its full width.
 */
export function outputLines(buffer: OutputBuffer, width?: number): ScreenLine[] {
  const lines: ScreenLine[] = [];
  if (buffer.dropped > 0) lines.push({ text: `… ${buffer.dropped} earlier lines not shown`, tone: 'meta' });
  for (const item of buffer.items) lines.push(...itemLines(item, width));
  return lines;
}

function itemLines(item: OutputItem, width?: number): ScreenLine[] {
  switch (item.kind) {
    case 'text':
      if (item.stream === 'stderr') return [{ text: `! ${item.text}`, tone: 'stderr' }];
      if (item.stream === 'notice') return [{ text: noticeLine(item.text), tone: 'notice' }];
      return [{ text: item.text, tone: 'stdout' }];
    case 'spilled':
      return [{ text: `… more ${item.stream} in ${item.path}`, tone: 'meta' }];
    case 'result':
      return resultLines(item, width);
  }
}

type ResultItem = Extract<OutputItem, { kind: 'result' }>;

function resultLines(item: ResultItem, width?: number): ScreenLine[] {
  const lines: ScreenLine[] = [];
  if (item.title) lines.push({ text: `-- ${item.title}`, tone: 'title' });
  if (item.columns.length === 0) {
    // As psql says it: `UPDATE 0` when nothing matched, never a bare `UPDATE`.
    lines.push({ text: commandTag(item.command, item.rowCount), tone: 'meta' });
    return lines;
  }
  // Values are never cut: a table that fits shows every character; one that does not is expanded.
  const table = formatTable(item.columns, item.rows, { maxColumnWidth: Number.MAX_SAFE_INTEGER });
  const widest = Math.max(...table.map(displayWidth));
  if (width !== undefined && widest > width) {
    lines.push({ text: `(expanded: ${widest} columns do not fit in ${width}; o pages the table whole)`, tone: 'meta' });
    lines.push(...expandedLines(item));
  } else {
    for (const text of table) lines.push({ text, tone: 'table' });
  }
  lines.push({ text: rowCountFooter(item.rowCount, item.rows.length, item.truncated), tone: 'meta' });
  return lines;
}

/** psql's expanded display: a `-[ RECORD n ]-` rule per row, then `column | value` lines (these wrap). */
function expandedLines(item: ResultItem): ScreenLine[] {
  const nameWidth = Math.max(...item.columns.map(displayWidth));
  const lines: ScreenLine[] = [];
  item.rows.forEach((row, r) => {
    lines.push({ text: `-[ RECORD ${r + 1} ]${'-'.repeat(Math.max(3, nameWidth - 8))}`, tone: 'meta' });
    item.columns.forEach((column, c) => lines.push({ text: `${padEndTo(column, nameWidth)} | ${formatValue(row[c])}`, tone: 'stdout' }));
  });
  return lines;
}
