/**
 * `runbook timeline <transcript> [--format md|json|cast]`: the postmortem views of a
 * run. Markdown also reads the runbook the run used (when it is still there and
 * unchanged) for its postmortem checklist, and says whether the hash chain holds.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../engine/errors.js';
import type { RunEvent, RunStarted, UnknownEvent } from '../engine/events.js';
import { readRunbookFile } from '../engine/parse.js';
import { readTranscript, verifyTranscript } from '../engine/transcript.js';
import { renderAsciicast } from '../renderers/asciicast.js';
import { renderTimelineMarkdown, type ChecklistSource } from '../renderers/timeline.js';
import { renderTimelineJson } from '../renderers/timeline-json.js';

export interface TimelineFlags {
  format?: string;
}

export async function timeline(file: string, flags: TimelineFlags = {}): Promise<number> {
  const format = flags.format ?? 'md';
  if (!['md', 'json', 'cast'].includes(format)) throw new InputError(`unknown timeline format "${format}"; use md, json or cast`);
  const { events, warnings } = await readTranscript(file);
  for (const warning of warnings) process.stderr.write(`runbook: warning: ${warning}\n`);
  process.stdout.write(await render(file, events, format));
  return 0;
}

async function render(file: string, events: (RunEvent | UnknownEvent)[], format: string): Promise<string> {
  if (format === 'json') return renderTimelineJson(events);
  if (format === 'cast') return renderAsciicast(events);
  const verified = await verifyTranscript(file);
  if (!verified.ok) process.stderr.write(`runbook: warning: ${file}:${verified.line}: ${verified.reason}\n`);
  const started = events.find((e): e is RunStarted => e.type === 'run.started');
  return renderTimelineMarkdown(events, {
    checklist: started ? await runbookChecklist(started, file) : { note: 'The transcript has no RUN STARTED, so the runbook is unknown.' },
    transcript: { path: file, verified },
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
