/**
 * `runbook timeline --format adhoc`: the cells typed in the console during a run, as
 * Markdown fences ready to paste into the runbook (the query nobody wrote down becomes
 * the one the next on-call finds). Each is the source as run, under a comment saying
 * where, when, by whom and how it ended.
 */
import type { RunEvent } from '../engine/events.js';
import { fence } from './timeline/markdown.js';

export function renderAdhocFences(events: readonly RunEvent[]): string {
  const actor = events.find((e) => e.type === 'run.started')?.actor;
  const finished = new Map<string, string>();
  for (const e of events) if (e.type === 'cell.finished') finished.set(e.cell, e.status);
  const blocks: string[] = [];
  for (const e of events) {
    if (e.type !== 'cell.started' || !e.adhoc) continue;
    const when = e.ts.replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
    const where = e.at ? ` at ${e.at}` : '';
    // A comment, not prose: pasted into the runbook it says where the cell came from and stays out of the rendered page.
    blocks.push([`<!-- ${e.cell}: typed${where} by ${actor ?? 'the operator'}, ${when}, ${finished.get(e.cell) ?? 'unfinished'} -->`, ...fence(e.source, e.lang)].join('\n'));
  }
  return blocks.length ? `${blocks.join('\n\n')}\n` : '';
}
