/**
 * The full texts a row cannot hold: the statement of every write (as it ran, values
 * bound) and every edit as a unified diff. The row links to its entry (`W1`, `E1`).
 */
import type { TimelineRow } from './model.js';
import { codeSpan, escapeInline, fence } from './markdown.js';

export interface AppendixEntry {
  id: string;
  row: TimelineRow;
  title: string;
  lang: string;
  text: string;
}

/** The entries, numbered in row order; each row with one gets it under its index. */
export function appendixEntries(rows: TimelineRow[]): Map<TimelineRow, AppendixEntry> {
  const entries = new Map<TimelineRow, AppendixEntry>();
  let writes = 0;
  let edits = 0;
  for (const row of rows) {
    const step = row.step ?? '?';
    const time = `${row.at.slice(11, 23)} UTC`;
    if (row.kind === 'cell' && typeof row.details.written === 'string') {
      writes += 1;
      const lang = row.details.lang === 'sql' ? 'sql' : row.details.lang === 'powershell' ? 'powershell' : 'sh';
      entries.set(row, { id: `W${writes}`, row, title: `write in ${codeSpan(step)} at ${time} by ${escapeInline(row.actor)}`, lang, text: row.details.written });
    } else if (row.kind === 'decision' && typeof row.details.diff === 'string' && row.details.diff) {
      edits += 1;
      entries.set(row, { id: `E${edits}`, row, title: `edit of ${codeSpan(step)} at ${time} by ${escapeInline(row.actor)}`, lang: 'diff', text: row.details.diff });
    }
  }
  return entries;
}

export function anchorOf(entry: AppendixEntry): string {
  return `timeline-${entry.id.toLowerCase()}`;
}

export function appendixLines(entries: Map<TimelineRow, AppendixEntry>): string[] {
  if (!entries.size) return [];
  const lines = ['### Writes and edits in full', ''];
  for (const entry of entries.values()) {
    lines.push(`<a id="${anchorOf(entry)}"></a>**${entry.id}**: ${entry.title}`, '', ...fence(entry.text, entry.lang), '');
  }
  return lines;
}
