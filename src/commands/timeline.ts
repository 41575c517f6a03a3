/**
 * `runbook timeline <transcript>... [--format md|json|html|cast]`: the postmortem views of a
 * run, or of several runs of one incident merged by time (md, json). Markdown also reads the runbook the run used (when it is still there and
 * unchanged) for its postmortem checklist, and says whether the hash chain holds.
 */
import { InputError } from '../engine/errors.js';
import { EXIT } from './exit.js';
import { runbookChecklist } from './timeline-checklist.js';
import { isKnownEvent, readTranscript, streamTranscript, type VerifyResult } from '../engine/transcript.js';
import { renderAsciicast } from '../renderers/asciicast.js';
import { renderAdhocFences } from '../renderers/timeline-adhoc.js';
import { renderMergedTimeline, renderTimelineModel, type ChecklistSource, type TranscriptState } from '../renderers/timeline.js';
import { mergeTimelines } from '../renderers/timeline/merge.js';
import { createTimelineBuilder, type TimelineModel } from '../renderers/timeline/model.js';
import { renderTimelineJson } from '../renderers/timeline-json.js';
import { shortMessage } from '../renderers/text/message.js';

export interface TimelineFlags {
  format?: string;
  log?: string;
  incident?: string;
}

export async function timeline(files: string | string[] | undefined, flags: TimelineFlags = {}): Promise<number> {
  const given = files === undefined ? [] : typeof files === 'string' ? [files] : files;
  if (flags.log !== undefined || flags.incident !== undefined || (given.length === 0 && process.env.RUNBOOK_LOG_URL)) return (await import('./timeline-log.js')).timelineLog(flags);
  if (given.length === 0) throw new InputError('runbook timeline: name a transcript, or the log: runbook timeline --log URL --incident ID');
  const format = flags.format ?? 'md';
  if (!['md', 'json', 'cast', 'adhoc', 'html'].includes(format)) throw new InputError(`unknown timeline format "${format}"; use md, json, html, cast or adhoc`);
  const list = given;
  if (format === 'adhoc') return adhoc(list);
  if (list.length > 1) {
    if (format === 'cast' || format === 'html') throw new InputError(`--format ${format} shows one transcript; give one file, or use md or json to merge several`);
    return merged(list, format);
  }
  const file = list[0] as string;
  if (format === 'cast') {
    const { events, warnings } = await readTranscript(file);
    warn(warnings);
    process.stdout.write(renderAsciicast(events, { transcriptPath: file }));
    return EXIT.ok;
  }
  if (format === 'html') {
    // The page plays the recording too, so it reads every event (as cast does).
    const { events, warnings } = await readTranscript(file);
    warn(warnings);
    const builder = createTimelineBuilder();
    for (const event of events) builder.add(event);
    const model = builder.finish();
    const { renderTimelineHtml } = await import('../renderers/timeline-html.js');
    process.stdout.write(renderTimelineHtml(mergeTimelines([model]), { checklist: await checklistOf(model, file), cast: renderAsciicast(events, { transcriptPath: file }), transcriptPath: file }));
    return EXIT.ok;
  }
  // md and json keep only the timeline's rows, never all the events: 100,000 of them stream through.
  const builder = createTimelineBuilder();
  const { warnings, verification } = await streamTranscript(file, builder.add, { verify: format === 'md' });
  warn(warnings);
  const model = builder.finish();
  process.stdout.write(format === 'json' ? renderTimelineJson(model, { checklist: await checklistOf(model, file) }) : await markdown(file, model, verification));
  return EXIT.ok;
}

/**
 * Several transcripts of one incident as one timeline. Every file is read (and its chain
 * checked) before anything is printed, so a bad file refuses the whole command.
 */
async function merged(files: string[], format: string): Promise<number> {
  const models: TimelineModel[] = [];
  const transcripts = new Map<string, TranscriptState>();
  for (const file of files) {
    const builder = createTimelineBuilder();
    const { warnings, verification } = await streamTranscript(file, builder.add, { verify: true });
    warn(warnings);
    if (verification && !verification.ok) process.stderr.write(`${shortMessage({ file, line: verification.line, severity: 'warning', reason: verification.reason })}\n`);
    const model = builder.finish();
    if (model.run && transcripts.has(model.run)) throw new InputError(`${file} holds run ${model.run} again (also in ${transcripts.get(model.run)?.path}); give each transcript once`);
    models.push(model);
    transcripts.set(model.run ?? file, { path: file, ...(verification ? { verified: verification } : {}) });
  }
  const timelineModel = mergeTimelines(models);
  const first = models.find((m) => m.started);
  const checklist = first?.started ? await runbookChecklist(first.started, transcripts.get(first.run ?? '')?.path ?? files[0] as string) : {};
  if (format === 'json') {
    process.stdout.write(renderTimelineJson(timelineModel, { checklist }));
    return EXIT.ok;
  }
  process.stdout.write(renderMergedTimeline(timelineModel, { checklist, transcripts }));
  return EXIT.ok;
}

/** `--format adhoc`: each run's ad-hoc cells as fences, in the order the files are given. */
async function adhoc(files: string[]): Promise<number> {
  const out: string[] = [];
  for (const file of files) {
    const { events, warnings } = await readTranscript(file);
    warn(warnings);
    out.push(renderAdhocFences(events.filter(isKnownEvent)));
  }
  const text = out.filter(Boolean).join('\n');
  if (!text) process.stderr.write(`runbook timeline: no ad-hoc cells in ${files.join(', ')} (cells typed with a in the console)\n`);
  process.stdout.write(text);
  return EXIT.ok;
}

function warn(warnings: string[]): void {
  for (const warning of warnings) process.stderr.write(`${shortMessage({ reason: warning, severity: 'warning' })}\n`);
}

async function markdown(file: string, model: TimelineModel, verified: VerifyResult | undefined): Promise<string> {
  if (verified && !verified.ok) process.stderr.write(`${shortMessage({ file, line: verified.line, severity: 'warning', reason: verified.reason })}\n`);
  return renderTimelineModel(model, {
    checklist: await checklistOf(model, file),
    transcript: { path: file, ...(verified ? { verified } : {}) },
  });
}

async function checklistOf(model: TimelineModel, file: string): Promise<ChecklistSource> {
  return model.started ? runbookChecklist(model.started, file) : { note: 'The transcript has no RUN STARTED, so the runbook is unknown.' };
}
