/**
 * `runbook timeline --format md`: the transcript as a postmortem section — header facts,
 * a table of what happened when and who did it, the writes and edits in full, a Mermaid
 * Gantt chart of the cells (when it can show them), and the runbook's postmortem
 * checklist as the run left it. Several transcripts merge into one incident timeline. Everything shown is already
 * masked in the transcript; URLs are masked once more in case a hand-edited one is not.
 */
import type { RunEvent, RunStarted, UnknownEvent } from '../engine/events.js';
import { maskUrl } from '../engine/redact.js';
import { dateAndTime, duration, offset, timeOfDay, utcStamp } from './text/time.js';
import { checklistLines, type ChecklistSource } from './timeline/checklist.js';
import { ganttLines } from './timeline/gantt.js';
import { codeSpan, escapeCell, escapeInline } from './timeline/markdown.js';
import type { Evidence } from './timeline/evidence.js';
import { anchorOf, appendixEntries, appendixLines, type AppendixEntry } from './timeline/appendix.js';
import { mergeTimelines, type MergedTimeline } from './timeline/merge.js';
import { shownTargetName } from './timeline/header.js';
import { buildTimeline, type CellSpan, type Tick, type TimelineModel, type TimelineRow } from './timeline/model.js';
import { counted } from './timeline/wording.js';
import { clockSummary, type Role } from './timeline/clock.js';
import { notRunSummary } from './outcome.js';

export type { ChecklistSource } from './timeline/checklist.js';

export interface TranscriptState {
  path: string;
  verified?: { ok: true; events: number } | { ok: false; line: number; reason: string };
}

export interface TimelineOptions {
  /** The runbook's checklist items (see ChecklistSource); without them only what the run ticked is listed. */
  checklist?: ChecklistSource;
  /** Where the transcript is, and what `verify` said of it, for the header. */
  transcript?: TranscriptState;
}

export interface MergedTimelineOptions {
  checklist?: ChecklistSource;
  /** Per run (same order as the merged runs), where its transcript is and whether its chain holds. */
  transcripts?: Map<string, TranscriptState>;
}

const MARKERS = new Set<TimelineRow['kind']>(['detected', 'first-symptom', 'run.started', 'run.resumed', 'first-failure', 'budget-overrun', 'escalation', 'run.finished', 'transcript.ended']);

export function renderTimelineMarkdown(events: Iterable<RunEvent | UnknownEvent>, options: TimelineOptions = {}): string {
  return renderTimelineModel(buildTimeline(events), options);
}

/** The Markdown of a model built elsewhere (e.g. streamed from a large transcript). */
export function renderTimelineModel(model: TimelineModel, options: TimelineOptions = {}): string {
  const merged = mergeTimelines([model]);
  const title = model.started?.runbook.title;
  return [
    `## Incident timeline${title ? `: ${escapeInline(title)}` : ''}`,
    '',
    ...headerLines(model, options.transcript),
    ...clockLines(merged),
    '',
    ...symptomsLines(model.started),
    ...whatHappened(merged, false, title, model.ticks, options.checklist),
  ].join('\n');
}

/** Several runs of one incident as one timeline: a header per run, one table by time with Run and Actor columns. */
export function renderMergedTimeline(merged: MergedTimeline, options: MergedTimelineOptions = {}): string {
  const titles = [...new Set(merged.runs.map((m) => m.started?.runbook.title).filter((t): t is string => Boolean(t)))];
  const runLines = merged.runs.flatMap((model, i) => [
    `- **R${i + 1}** ${runSummary(model, options.transcripts?.get(model.run ?? ''))}`,
  ]);
  return [
    `## Incident timeline${titles.length ? `: ${titles.map(escapeInline).join(' + ')}` : ''}`,
    '',
    `- **Runs:** ${merged.runs.length}, by ${merged.actors.map(escapeInline).join(', ') || 'unknown'}`,
    `- **Start:** ${utcStamp(merged.startedAt)}`,
    `- **End:** ${utcStamp(merged.endedAt)}`,
    `- **Duration:** ${duration(merged.durationMs)}`,
    ...clockLines(merged),
    ...rolesLines(merged.roles),
    '',
    ...runLines,
    '',
    ...symptomsLines(merged.runs.find((m) => m.started?.symptoms)?.started),
    ...whatHappened(merged, true, titles.length === 1 ? titles[0] : undefined, merged.ticks, options.checklist),
  ].join('\n');
}

function runSummary(model: TimelineModel, transcript: TranscriptState | undefined): string {
  const started = model.started;
  const who = model.actors.length ? model.actors.map(escapeInline).join(', ') : 'unknown';
  const where = started ? `${started.mode} against ${badgeOf(started)}${shownTargetName(started.target, badgeOf(started)) ? ` ${escapeInline(started.target.name)}` : ''}, on ${escapeInline(started.host)}` : 'no RUN STARTED';
  const outcome = `${model.outcome}${counted(model.counts)}${notRunText(model)}`;
  const file = transcript ? `; ${codeSpan(transcript.path)}${chainText(transcript)}` : '';
  return `${model.run ? codeSpan(model.run) : 'unknown run'} by ${who}, ${where}, ${utcStamp(model.startedAt)} to ${utcStamp(model.endedAt)}: ${outcome}${file}`;
}

function badgeOf(started: RunStarted): string {
  return started.target.kind === 'sandbox' ? 'SANDBOX' : started.target.kind === 'postgres' ? 'PRODUCTION' : 'no database';
}

function notRunText(model: TimelineModel): string {
  const summary = notRunSummary(model.notRun, model.selected);
  return summary ? ` (${summary})` : '';
}

function chainText(transcript: TranscriptState): string {
  const verified = transcript.verified;
  if (!verified) return '';
  return verified.ok
    ? `: hash chain verified, ${verified.events} events`
    : `: **hash chain broken at line ${verified.line}** (${escapeInline(verified.reason)}); this timeline may not be faithful`;
}

function headerLines(model: TimelineModel, transcript: TranscriptState | undefined): string[] {
  const started = model.started;
  const lines: string[] = [];
  if (started) {
    lines.push(`- **Runbook:** ${codeSpan(started.runbook.path)} (sha256 ${codeSpan(started.runbook.sha256)})`);
    const badge = badgeOf(started);
    const url = started.target.url ? ` ${codeSpan(maskUrl(started.target.url))}` : '';
    const name = shownTargetName(started.target, badge) ? ` ${escapeInline(started.target.name)}` : '';
    lines.push(`- **Target:** ${badge}${name}${url}`);
    lines.push(`- **Run:** ${codeSpan(started.run)}, ${started.mode}, on ${escapeInline(started.host)}`);
  } else {
    lines.push(`- **Run:** ${model.run ? codeSpan(model.run) : 'unknown'} (the transcript has no RUN STARTED)`);
  }
  lines.push(
    `- **Actors:** ${model.actors.length ? model.actors.map(escapeInline).join(', ') : 'unknown'}`,
    ...rolesLines(model.roles),
    `- **Start:** ${utcStamp(model.startedAt)}`,
    `- **End:** ${utcStamp(model.endedAt)}${model.outcome === 'unfinished' ? ' (last event; the run did not finish)' : ''}`,
    `- **Duration:** ${duration(model.durationMs)}`,
    `- **Outcome:** ${model.outcome}${counted(model.counts)}${notRunText(model)}`,
  );
  if (transcript) lines.push(`- **Transcript:** ${codeSpan(transcript.path)}${chainText(transcript)}`);
  return lines;
}

/** "What happened": the table by time (with a Run column for several runs), the appendix of what the table cuts, the chart and the checklist. */
function whatHappened(merged: MergedTimeline, withRun: boolean, chartTitle: string | undefined, ticks: Tick[], checklist: ChecklistSource | undefined): string[] {
  const entries = appendixEntries(merged.rows);
  return ['### What happened', '', ...tableLines(merged, entries, withRun), '', ...appendixLines(entries), ...chartLines(merged.spans, chartTitle), ...checklistLines(ticks, checklist ?? {}), ''];
}

function tableLines(merged: MergedTimeline, entries: Map<TimelineRow, AppendixEntry[]>, withRun: boolean): string[] {
  const day = (iso: string) => iso.slice(0, 10);
  const spansDays = merged.rows.some((row) => day(row.at) !== day(merged.startedAt));
  const label = new Map(merged.runs.map((m, i) => [m.run, `R${i + 1}`]));
  const lines = withRun
    ? ['| Time (UTC) | +elapsed | Run | Actor | Step | Action | Result |', '|---|---:|---|---|---|---|---|']
    : ['| Time (UTC) | +elapsed | Actor | Step | Action | Result |', '|---|---:|---|---|---|---|'];
  for (const row of merged.rows) {
    const time = spansDays ? dateAndTime(row.at) : timeOfDay(row.at, 'ms');
    const step = row.step ? codeSpan(row.step) : '';
    const action = MARKERS.has(row.kind) ? `**${escapeCell(row.action)}**` : escapeCell(row.action);
    const links = (entries.get(row) ?? []).map((entry) => `[${entry.id}](#${anchorOf(entry)})`);
    const evidence = (row.details.evidence as Evidence | undefined)?.lines ?? [];
    const result = `${escapeCell(row.result)}${evidence.map((line) => `<br>› ${escapeInline(line)}`).join('')}${links.length ? ` (${links.join(', ')})` : ''}`;
    const run = withRun ? ` ${label.get(row.run) ?? ''} |` : '';
    lines.push(`| ${time} | ${offset(row.elapsedMs)} |${run} ${escapeCell(row.actor)} | ${step} | ${action} | ${result} |`);
  }
  return lines;
}

function chartLines(spans: CellSpan[], title: string | undefined): string[] {
  const chart = ganttLines(spans, title);
  if (!chart.length) return [];
  return ['### Where the minutes went', '', ...chart, ''];
}

/** `- **Clock:** detected 19:52:00 UTC → RUN STARTED +6 min → first action +6 min (`containment`) → first write … → resolved +14 min`. */
function clockLines(merged: MergedTimeline): string[] {
  const clock = merged.clock;
  if (!clock || clock.milestones.length < 2) return [];
  return [`- **Clock:** ${clockSummary(clock, codeSpan)}`];
}

/** `- **Roles:** IC alice, scribe bob` from the notes (`role: IC`). */
function rolesLines(roles: Role[]): string[] {
  const last = new Map<string, Role>();
  for (const role of roles) last.set(role.role, role);
  if (!last.size) return [];
  return [`- **Roles:** ${[...last.values()].map((r) => `${escapeInline(r.role)} ${escapeInline(r.who)}`).join(', ')}`];
}

/** The runbook's Symptoms section, quoted as written. */
function symptomsLines(started: RunStarted | undefined): string[] {
  const symptoms = started?.symptoms?.trim();
  if (!symptoms) return [];
  return ['### Symptoms (from the runbook)', '', ...symptoms.split('\n').map((line) => (line ? `> ${line}` : '>')), ''];
}
