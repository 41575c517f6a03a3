/**
 * `runbook timeline --log URL --incident ID [--format md|json|cast]`: the timeline of an
 * incident from the shared log, built by the same builder and renderers as from files.
 * Until the merged multi-run timeline lands (the evidence issue), an incident with several
 * runs gets each run's timeline in turn (md, cast) or all entries in time order (json).
 */
import { requireLog, type LogFlags } from '../engine/log/config.js';
import { readLogRuns, type LogRun } from '../engine/log/reader.js';
import { InputError } from '../engine/errors.js';
import { renderAsciicast } from '../renderers/asciicast.js';
import { renderTimelineModel } from '../renderers/timeline.js';
import { buildTimeline } from '../renderers/timeline/model.js';
import { entriesOf } from '../renderers/timeline-json.js';
import { runbookChecklist } from './timeline.js';

export interface TimelineLogFlags extends LogFlags {
  format?: string;
}

export async function timelineLog(flags: TimelineLogFlags): Promise<number> {
  const format = flags.format ?? 'md';
  if (!['md', 'json', 'cast'].includes(format)) throw new InputError(`unknown timeline format "${format}"; use md, json or cast`);
  const target = requireLog(flags);
  const runs = await readLogRuns(target);
  if (runs.length === 0) throw new InputError(`no events of incident ${target.incident} in the log ${target.maskedUrl}; check --incident`, 1);
  for (const { run, check } of runs) {
    if (!check.result.ok) process.stderr.write(`runbook: warning: log ${target.incident}: run ${run}, seq ${check.seq}: ${check.result.reason}\n`);
  }
  if (format === 'cast') {
    for (const { run, events } of runs) process.stdout.write(renderAsciicast(events, { transcriptPath: `log ${target.incident} run ${run}` }));
    return 0;
  }
  if (format === 'json') {
    const entries = runs.flatMap((r) => entriesOf(buildTimeline(r.events)));
    // A stable sort: entries of one run keep their order, runs interleave by time.
    entries.sort((a, b) => Date.parse(a.occurred_at) - Date.parse(b.occurred_at));
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  }
  const parts = [];
  for (const run of runs) parts.push(await markdown(run, target.incident));
  process.stdout.write(parts.join('\n'));
  return 0;
}

async function markdown(run: LogRun, incident: string): Promise<string> {
  const model = buildTimeline(run.events);
  const result = run.check.result;
  const verified = result.ok ? { ok: true as const, events: result.events } : { ok: false as const, line: result.line, reason: result.reason };
  return renderTimelineModel(model, {
    checklist: model.started ? await runbookChecklist(model.started, '.') : { note: 'The log has no RUN STARTED for this run, so the runbook is unknown.' },
    transcript: { path: `log ${incident}, run ${run.run}`, verified },
  });
}
