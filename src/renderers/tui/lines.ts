/**
 * Output items as screen lines, so the live pane can show exactly the last N lines
 * that fit and a finished cell prints its whole (capped) record once.
 */
import type { CellError } from '../../engine/events.js';
import { formatTable, rowCountFooter } from '../table.js';
import type { OutputBuffer, OutputItem } from './state.js';

export type LineTone = 'stdout' | 'stderr' | 'notice' | 'title' | 'table' | 'meta' | 'error' | 'hint';

export interface ScreenLine {
  text: string;
  tone: LineTone;
}

export function outputLines(buffer: OutputBuffer): ScreenLine[] {
  const lines: ScreenLine[] = [];
  if (buffer.dropped > 0) lines.push({ text: `… ${buffer.dropped} earlier lines not shown`, tone: 'meta' });
  for (const item of buffer.items) lines.push(...itemLines(item));
  return lines;
}

function itemLines(item: OutputItem): ScreenLine[] {
  switch (item.kind) {
    case 'text':
      if (item.stream === 'stderr') return [{ text: `! ${item.text}`, tone: 'stderr' }];
      if (item.stream === 'notice') return [{ text: `NOTICE: ${item.text}`, tone: 'notice' }];
      return [{ text: item.text, tone: 'stdout' }];
    case 'spilled':
      return [{ text: `… more ${item.stream} in ${item.path}`, tone: 'meta' }];
    case 'result':
      return resultLines(item);
  }
}

function resultLines(item: Extract<OutputItem, { kind: 'result' }>): ScreenLine[] {
  const lines: ScreenLine[] = [];
  if (item.title) lines.push({ text: `-- ${item.title}`, tone: 'title' });
  if (item.columns.length === 0) {
    lines.push({ text: `${item.command}${item.rowCount ? ` ${item.rowCount}` : ''}`, tone: 'meta' });
    return lines;
  }
  for (const text of formatTable(item.columns, item.rows, { maxColumnWidth: 40 })) lines.push({ text, tone: 'table' });
  lines.push({ text: rowCountFooter(item.rowCount, item.rows.length, item.truncated), tone: 'meta' });
  return lines;
}

/** An error as psql shows it: SQLSTATE and message, then detail and hint. */
export function errorLines(error: CellError): ScreenLine[] {
  const lines: ScreenLine[] = [{ text: `ERROR${error.code ? ` ${error.code}` : ''}: ${error.message}`, tone: 'error' }];
  if (error.detail) lines.push({ text: `DETAIL: ${error.detail}`, tone: 'hint' });
  if (error.hint) lines.push({ text: `HINT: ${error.hint}`, tone: 'hint' });
  if (error.line) lines.push({ text: `at line ${error.line}`, tone: 'hint' });
  return lines;
}
