/**
 * `runbook timeline --format md`: the transcript as a postmortem section — header facts,
 * a table of what happened when and who did it, a Mermaid Gantt chart of the cells, and
 * the runbook's postmortem checklist as the run left it. Everything shown is already
 * masked in the transcript; URLs are masked once more in case a hand-edited one is not.
 */
import type { RunEvent, UnknownEvent } from '../engine/events.js';
import { maskUrl } from '../engine/redact.js';
import { elapsedClock, humanDuration, utcStamp } from './durations.js';
import { checklistLines, type ChecklistSource } from './timeline/checklist.js';
import { ganttLines } from './timeline/gantt.js';
import { codeSpan, escapeCell, escapeInline } from './timeline/markdown.js';
import { buildTimeline, shownTargetName, type TimelineModel, type TimelineRow } from './timeline/model.js';
import { counted } from './timeline/wording.js';

export type { ChecklistSource } from './timeline/checklist.js';

export interface TimelineOptions {
  /** The runbook's checklist items (see ChecklistSource); without them only what the run ticked is listed. */
  checklist?: ChecklistSource;
  /** Where the transcript is, and what `verify` said of it, for the header. */
  transcript?: { path: string; verified?: { ok: true; events: number } | { ok: false; line: number; reason: string } };
}

const MARKERS = new Set<TimelineRow['kind']>(['run.started', 'run.resumed', 'first-failure', 'run.finished', 'transcript.ended']);

export function renderTimelineMarkdown(events: Iterable<RunEvent | UnknownEvent>, options: TimelineOptions = {}): string {
  return renderTimelineModel(buildTimeline(events), options);
}

/** The Markdown of a model built elsewhere (e.g. streamed from a large transcript). */
export function renderTimelineModel(model: TimelineModel, options: TimelineOptions = {}): string {
  const title = model.started?.runbook.title;
  return [
    `## Incident timeline${title ? `: ${escapeInline(title)}` : ''}`,
    '',
    ...headerLines(model, options),
    '',
    '### What happened',
    '',
    ...tableLines(model),
    '',
    ...chartLines(model, title),
    ...checklistLines(model.ticks, options.checklist ?? {}),
    '',
  ].join('\n');
}

function headerLines(model: TimelineModel, options: TimelineOptions): string[] {
  const started = model.started;
  const lines: string[] = [];
  if (started) {
    lines.push(`- **Runbook:** ${codeSpan(started.runbook.path)} (sha256 ${codeSpan(started.runbook.sha256)})`);
    const badge = started.target.kind === 'sandbox' ? 'SANDBOX' : started.target.kind === 'postgres' ? 'PRODUCTION' : 'no database';
    const url = started.target.url ? ` ${codeSpan(maskUrl(started.target.url))}` : '';
    const name = shownTargetName(started.target, badge) ? ` ${escapeInline(started.target.name)}` : '';
    lines.push(`- **Target:** ${badge}${name}${url}`);
    lines.push(`- **Run:** ${codeSpan(started.run)}, ${started.mode}, on ${escapeInline(started.host)}`);
  } else {
    lines.push(`- **Run:** ${model.run ? codeSpan(model.run) : 'unknown'} (the transcript has no RUN STARTED)`);
  }
  lines.push(
    `- **Actors:** ${model.actors.length ? model.actors.map(escapeInline).join(', ') : 'unknown'}`,
    `- **Start:** ${utcStamp(model.startedAt)}`,
    `- **End:** ${utcStamp(model.endedAt)}${model.outcome === 'unfinished' ? ' (last event; the run did not finish)' : ''}`,
    `- **Duration:** ${humanDuration(model.durationMs)}`,
    `- **Outcome:** ${model.outcome}${counted(model.counts)}`,
  );
  const transcript = options.transcript;
  if (transcript) {
    const verified = transcript.verified;
    const state = !verified
      ? ''
      : verified.ok
        ? `: hash chain verified, ${verified.events} events`
        : `: **hash chain broken at line ${verified.line}** (${escapeInline(verified.reason)}); this timeline may not be faithful`;
    lines.push(`- **Transcript:** ${codeSpan(transcript.path)}${state}`);
  }
  return lines;
}

function tableLines(model: TimelineModel): string[] {
  const day = (iso: string) => iso.slice(0, 10);
  const spansDays = model.rows.some((row) => day(row.at) !== day(model.startedAt));
  const lines = ['| Time (UTC) | +elapsed | Actor | Step | Action | Result |', '|---|---:|---|---|---|---|'];
  for (const row of model.rows) {
    const time = spansDays ? row.at.replace('T', ' ').replace('Z', '') : row.at.slice(11, 23);
    const step = row.step ? codeSpan(row.step) : '';
    const action = MARKERS.has(row.kind) ? `**${escapeCell(row.action)}**` : escapeCell(row.action);
    lines.push(`| ${time} | ${elapsedClock(row.elapsedMs)} | ${escapeCell(row.actor)} | ${step} | ${action} | ${escapeCell(row.result)} |`);
  }
  return lines;
}

function chartLines(model: TimelineModel, title: string | undefined): string[] {
  const chart = ganttLines(model.spans, title);
  if (!chart.length) return [];
  return ['### Where the minutes went', '', ...chart, ''];
}
