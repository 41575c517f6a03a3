/**
 * The runbook's postmortem checklist as the run left it: every item of the runbook (when
 * the file the run used is still there, unchanged) in its final state — who ticked or
 * unticked it last, and when — and the runbook's own "Timeline documented" item, if it
 * has one, ticked, because this document is that timeline.
 */
import type { Tick } from './model.js';
import { escapeInline } from './markdown.js';

export interface ChecklistSource {
  /** The runbook's items, when the runbook the run used could be read (same sha256). */
  items?: { text: string; checked: boolean; owner?: string }[];
  /** Why the items are missing, said under the heading. */
  note?: string;
}

const TIMELINE_ITEM = /\btimeline\b/i;

export function checklistLines(ticks: Tick[], source: ChecklistSource): string[] {
  const key = (text: string) => text.trim().toLowerCase();
  const state = new Map<string, { text: string; checked: boolean; owner?: string; by?: Tick }>();
  for (const item of source.items ?? []) state.set(key(item.text), { ...item });
  for (const tick of ticks) {
    const entry = state.get(key(tick.item)) ?? { text: tick.item, checked: false };
    state.set(key(tick.item), { ...entry, checked: tick.checked, by: tick });
  }
  // This document is the timeline: the runbook's own item for it is ticked — never one it does not have.
  const timeline = (source.items ?? []).length ? [...state.values()].find((entry) => TIMELINE_ITEM.test(entry.text)) : undefined;
  if (timeline) timeline.checked = true;
  if (!state.size && !source.note) return [];

  const lines = ['### Postmortem checklist', ''];
  if (source.note) lines.push(`_${escapeInline(source.note)}_`, '');
  for (const entry of state.values()) {
    const owner = entry.owner ? ` (owner: ${escapeInline(entry.owner)})` : '';
    const by = timeline && entry === timeline ? ': this timeline' : entry.by ? ` (${entry.checked ? 'ticked' : 'unticked'} by ${escapeInline(entry.by.actor)} at ${entry.by.at.slice(11, 19)} UTC)` : '';
    lines.push(`- [${entry.checked ? 'x' : ' '}] ${escapeInline(entry.text)}${owner}${by}`);
  }
  return lines;
}
