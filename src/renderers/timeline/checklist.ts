/**
 * The runbook's postmortem checklist as the run left it: every item of the runbook (from
 * run.started, or the file the run used when it is still there, unchanged) in its final
 * state — who ticked or unticked it last, and when — with its Owner when the runbook's
 * checklist has that column, and the runbook's own "Timeline documented" item, if it has
 * one, ticked, because this document is that timeline. Markdown, JSON and the review page
 * all read checklistState().
 */
import type { Tick } from './model.js';
import { escapeCell, escapeInline } from './markdown.js';
import { timeOfDay } from '../text/time.js';

export interface ChecklistSource {
  /** The runbook's items, when known (run.started's checklist, or the unchanged runbook file). */
  items?: { text: string; checked: boolean; owner?: string }[];
  /** Why the items are missing, said under the heading. */
  note?: string;
}

export interface ChecklistEntry {
  text: string;
  checked: boolean;
  /** The Owner cell ('' when empty); absent when the checklist has no Owner column. */
  owner?: string;
  /** The last tick or untick, by whom and when. */
  by?: { actor: string; at: string };
  /** The runbook's "Timeline documented" item: this timeline is it. */
  thisTimeline?: true;
  /** Ticked during the run but not an item of the runbook as known (or the runbook is unknown). */
  onlyTicked?: true;
}

export interface ChecklistState {
  entries: ChecklistEntry[];
  note?: string;
  /** The runbook's checklist has an Owner column. */
  owners: boolean;
}

const TIMELINE_ITEM = /\btimeline\b/i;

export function checklistState(ticks: Tick[], source: ChecklistSource): ChecklistState {
  const key = (text: string) => text.trim().toLowerCase();
  const state = new Map<string, ChecklistEntry>();
  for (const item of source.items ?? []) state.set(key(item.text), { text: item.text, checked: item.checked, ...(item.owner !== undefined ? { owner: item.owner } : {}) });
  for (const tick of ticks) {
    const entry = state.get(key(tick.item)) ?? { text: tick.item, checked: false, onlyTicked: true as const };
    state.set(key(tick.item), { ...entry, checked: tick.checked, by: { actor: tick.actor, at: tick.at } });
  }
  // This document is the timeline: the runbook's own item for it is ticked — never one it does not have.
  const timeline = (source.items ?? []).length ? [...state.values()].find((entry) => TIMELINE_ITEM.test(entry.text)) : undefined;
  if (timeline) {
    timeline.checked = true;
    timeline.thisTimeline = true;
  }
  const entries = [...state.values()];
  return { entries, ...(source.note ? { note: source.note } : {}), owners: entries.some((entry) => entry.owner !== undefined) };
}

export function checklistLines(ticks: Tick[], source: ChecklistSource): string[] {
  const { entries, note, owners } = checklistState(ticks, source);
  if (!entries.length && !note) return [];
  const lines = ['### Postmortem checklist', ''];
  if (note) lines.push(`_${escapeInline(note)}_`, '');
  const byText = (entry: ChecklistEntry) =>
    entry.thisTimeline ? 'this timeline' : entry.by ? `${entry.checked ? 'ticked' : 'unticked'} by ${entry.by.actor} at ${timeOfDay(entry.by.at, 'second')} UTC` : '';
  if (owners) {
    // The runbook's table, Owner column kept (to be filled in at the review), and who ticked what.
    lines.push('| Item | Owner | Done | |', '|---|---|---|---|');
    for (const entry of entries) lines.push(`| ${escapeCell(entry.text)} | ${escapeCell(entry.owner ?? '')} | ${entry.checked ? '☑' : '☐'} | ${escapeCell(byText(entry))} |`);
    return lines;
  }
  for (const entry of entries) {
    const by = entry.thisTimeline ? ': this timeline' : entry.by ? ` (${escapeInline(byText(entry))})` : '';
    lines.push(`- [${entry.checked ? 'x' : ' '}] ${escapeInline(entry.text)}${by}`);
  }
  return lines;
}
