/**
 * `runbook timeline <transcript> [--format md|json|cast]`: the postmortem views of a
 * run. Markdown also reads the runbook the run used (when it is still there and
 * unchanged) for its postmortem checklist, and says whether the hash chain holds.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../engine/errors.js';
import type { RunStarted } from '../engine/events.js';
import { readRunbookFile } from '../engine/parse.js';
import { readTranscript, streamTranscript, type VerifyResult } from '../engine/transcript.js';
import { renderAsciicast } from '../renderers/asciicast.js';
import { renderTimelineModel, type ChecklistSource } from '../renderers/timeline.js';
import { createTimelineBuilder, type TimelineModel } from '../renderers/timeline/model.js';
import { renderTimelineJson } from '../renderers/timeline-json.js';

export interface TimelineFlags {
  format?: string;
  log?: string;
  incident?: string;
}

export async function timeline(file: string | undefined, flags: TimelineFlags = {}): Promise<number> {
  if (flags.log !== undefined || flags.incident !== undefined || (file === undefined && process.env.RUNBOOK_LOG_URL)) return (await import('./timeline-log.js')).timelineLog(flags);
  if (file === undefined) throw new InputError('runbook timeline: name a transcript, or the log: runbook timeline --log URL --incident ID');
  const format = flags.format ?? 'md';
  if (!['md', 'json', 'cast'].includes(format)) throw new InputError(`unknown timeline format "${format}"; use md, json or cast`);
  if (format === 'cast') {
    const { events, warnings } = await readTranscript(file);
    warn(warnings);
    process.stdout.write(renderAsciicast(events, { transcriptPath: file }));
    return 0;
  }
  // md and json keep only the timeline's rows, never all the events: 100,000 of them stream through.
  const builder = createTimelineBuilder();
  const { warnings, verification } = await streamTranscript(file, builder.add, { verify: format === 'md' });
  warn(warnings);
  const model = builder.finish();
  process.stdout.write(format === 'json' ? renderTimelineJson(model) : await markdown(file, model, verification));
  return 0;
}

function warn(warnings: string[]): void {
  for (const warning of warnings) process.stderr.write(`runbook: warning: ${warning}\n`);
}

async function markdown(file: string, model: TimelineModel, verified: VerifyResult | undefined): Promise<string> {
  if (verified && !verified.ok) process.stderr.write(`runbook: warning: ${file}:${verified.line}: ${verified.reason}\n`);
  const started = model.started;
  return renderTimelineModel(model, {
    checklist: started ? await runbookChecklist(started, file) : { note: 'The transcript has no RUN STARTED, so the runbook is unknown.' },
    transcript: { path: file, ...(verified ? { verified } : {}) },
  });
}

/**
 * The checklist of the runbook the run used: its recorded path, as given or relative
 * to the directory above `transcripts/`, and only if its sha256 still matches.
 */
export async function runbookChecklist(started: RunStarted, transcriptPath: string): Promise<ChecklistSource> {
  const { path, sha256 } = started.runbook;
  const candidates = [path, resolve(dirname(transcriptPath), '..', path), resolve(dirname(transcriptPath), path)];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) return { note: `The runbook ${path} is not here; showing only the items the run ticked.` };
  try {
    const runbook = await readRunbookFile(found);
    if (runbook.sha256 !== sha256) return { note: `${path} changed since the run (sha256 differs); showing only the items the run ticked.` };
    return { items: runbook.checklist.map(({ text, checked, owner }) => ({ text, checked, ...(owner ? { owner } : {}) })) };
  } catch (error) {
    return { note: `The runbook ${path} could not be read (${(error as Error).message}); showing only the items the run ticked.` };
  }
}
