/**
 * `runbook timeline --log URL --incident ID [--format md|json|cast]`: the timeline of an
 * incident from the shared log, built by the same builder and renderers as from files.
 * One run gives the file's timeline; several runs are merged the way files are
 * (`runbook timeline a.jsonl b.jsonl`: mergeTimelines), with each run's chain checked.
 */
import { requireLog, type LogFlags } from '../engine/log/config.js';
import { readLogRuns, type LogRun } from '../engine/log/reader.js';
import { CheckFailedError, InputError } from '../engine/errors.js';
import { renderAsciicast } from '../renderers/asciicast.js';
import { renderMergedTimeline, renderTimelineModel, type ChecklistSource, type TranscriptState } from '../renderers/timeline.js';
import { mergeTimelines } from '../renderers/timeline/merge.js';
import { buildTimeline, type TimelineModel } from '../renderers/timeline/model.js';
import { renderTimelineJson } from '../renderers/timeline-json.js';
import { runbookChecklist } from './timeline-checklist.js';
import { EXIT } from './exit.js';
import { shortMessage } from '../renderers/text/message.js';

export interface TimelineLogFlags extends LogFlags {
  format?: string;
}

export async function timelineLog(flags: TimelineLogFlags): Promise<number> {
  const format = flags.format ?? 'md';
  if (!['md', 'json', 'cast'].includes(format)) throw new InputError(`unknown timeline format "${format}"; use md, json or cast`);
  const target = requireLog(flags);
  const runs = await readLogRuns(target);
  if (runs.length === 0) throw new CheckFailedError(`no events of incident ${target.incident} in the log ${target.maskedUrl}; check --incident`);
  if (format === 'cast' && runs.length > 1) {
    throw new InputError(`incident ${target.incident} has ${runs.length} runs in the log; --format cast plays one run: use md or json to merge them`);
  }
  for (const { run, check } of runs) {
    if (!check.result.ok) process.stderr.write(`${shortMessage({ reason: `log ${target.incident}: run ${run}, seq ${check.seq}: ${check.result.reason}`, severity: 'warning' })}\n`);
  }
  if (format === 'cast') {
    const only = runs[0] as LogRun;
    process.stdout.write(renderAsciicast(only.events, { transcriptPath: where(target.incident, only.run) }));
    return EXIT.ok;
  }
  const models = runs.map((run) => buildTimeline(run.events));
  const transcripts = new Map(runs.map((run) => [run.run, { path: where(target.incident, run.run), verified: verified(run) }]));
  // One run reads as the file's timeline; several are merged exactly as `runbook timeline a.jsonl b.jsonl` merges files.
  const only = runs[0] as LogRun;
  if (models.length === 1) {
    const model = models[0] as TimelineModel;
    if (format === 'json') process.stdout.write(renderTimelineJson(model, { checklist: await checklistOf(model) }));
    else process.stdout.write(renderTimelineModel(model, { checklist: await checklistOf(model), transcript: { path: where(target.incident, only.run), verified: verified(only) } }));
    return EXIT.ok;
  }
  const merged = mergeTimelines(models);
  if (format === 'json') process.stdout.write(renderTimelineJson(merged, { checklist: await checklistOf(models.find((m) => m.started)) }));
  else process.stdout.write(renderMergedTimeline(merged, { checklist: await checklistOf(models.find((m) => m.started)), transcripts }));
  return EXIT.ok;
}

/** The runbook's checklist, looked up the way the file timeline does (its path as recorded, from here). */
async function checklistOf(model: TimelineModel | undefined): Promise<ChecklistSource> {
  return model?.started ? runbookChecklist(model.started, '.') : { note: 'The log has no RUN STARTED for this incident, so the runbook is unknown.' };
}

function where(incident: string, run: string): string {
  return `log ${incident}, run ${run}`;
}

function verified(run: LogRun): TranscriptState['verified'] {
  const result = run.check.result;
  return result.ok ? { ok: true, events: result.events } : { ok: false, line: result.line, reason: result.reason };
}
