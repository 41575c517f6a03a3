/**
 * The full texts a row cannot hold: the statement of every write (as it ran, values
 * bound), every edit as a unified diff, and what every attempt printed (bounded; the rest
 * is in the transcript or its sidecar). The row links to its entries (`W1`, `E1`, `O1`).
 */
import type { CellOutputText } from './evidence.js';
import type { TimelineRow } from './model.js';
import { codeSpan, escapeInline, fence } from './markdown.js';
import { timeOfDay } from '../text/time.js';
import { langOfTag } from '../../engine/lang/languages.js';

export interface AppendixEntry {
  id: string;
  row: TimelineRow;
  title: string;
  lang: string;
  text: string;
  /** Said under the text: where the rest of it is. */
  note?: string;
}

/** The entries, numbered in row order; each row gets its own (a write's statement, then its output). */
export function appendixEntries(rows: TimelineRow[]): Map<TimelineRow, AppendixEntry[]> {
  const entries = new Map<TimelineRow, AppendixEntry[]>();
  const counts = { W: 0, E: 0, O: 0 };
  const add = (row: TimelineRow, prefix: keyof typeof counts, entry: Omit<AppendixEntry, 'id' | 'row'>) => {
    counts[prefix] += 1;
    entries.set(row, [...(entries.get(row) ?? []), { id: `${prefix}${counts[prefix]}`, row, ...entry }]);
  };
  for (const row of rows) {
    const step = row.step ?? '?';
    const time = `${timeOfDay(row.at, 'ms')} UTC`;
    if (row.kind === 'cell' && typeof row.details.written === 'string') {
      const lang = langOfTag(String(row.details.lang ?? '')) ?? 'sh';
      // The statement as it ran refers to values by reference (`${env:RUNBOOK_VAR_GOOD_SHA}`): say what they were.
      const values = Object.entries((row.details.values as Record<string, string> | undefined) ?? {});
      const note = values.length ? `With ${values.map(([name, value]) => codeSpan(`${name}=${value}`)).join(', ')}.` : undefined;
      add(row, 'W', { title: `write in ${codeSpan(step)} at ${time} by ${escapeInline(row.actor)}`, lang, text: row.details.written, ...(note ? { note } : {}) });
    } else if (row.kind === 'decision' && typeof row.details.diff === 'string' && row.details.diff) {
      add(row, 'E', { title: `edit of ${codeSpan(step)} at ${time} by ${escapeInline(row.actor)}`, lang: 'diff', text: row.details.diff });
    }
    const output = row.kind === 'cell' ? (row.details.output as CellOutputText | undefined) : undefined;
    // An attempt past the timeline's output budget has no entry: its row keeps the excerpt.
    if (output && (output.text || output.sidecars?.length)) {
      const attempt = typeof row.details.attempt === 'number' && row.details.attempt > 1 ? ` (attempt ${row.details.attempt})` : '';
      add(row, 'O', { title: `output of ${codeSpan(step)}${attempt} at ${time}`, lang: 'text', text: output.text, ...(outputNote(output) ? { note: outputNote(output) } : {}) });
    }
  }
  return entries;
}

/** Where the rest of a cut output is: its sidecar, or the transcript. */
export function outputNote(output: CellOutputText): string | undefined {
  if (output.sidecars?.length) return `The full output is in ${output.sidecars.map(codeSpan).join(', ')} beside the transcript.`;
  if (output.cut) return 'Cut here; the full output is in the transcript (`runbook replay`).';
  return undefined;
}

export function anchorOf(entry: AppendixEntry): string {
  return `timeline-${entry.id.toLowerCase()}`;
}

export function appendixLines(entries: Map<TimelineRow, AppendixEntry[]>): string[] {
  if (!entries.size) return [];
  const lines = ['### Writes, edits and output in full', ''];
  for (const entry of [...entries.values()].flat()) {
    lines.push(`<a id="${anchorOf(entry)}"></a>**${entry.id}**: ${entry.title}`, '', ...(entry.text ? fence(entry.text, entry.lang) : ['_(no output kept)_']), '');
    if (entry.note) lines.push(`_${entry.note}_`, '');
  }
  return lines;
}
