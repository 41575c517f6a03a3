/** The runbook's checklist for a timeline: shared by `timeline` on files and on the shared log. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { RunStarted } from '../engine/events.js';
import { readRunbookFile } from '../engine/parse.js';
import type { ChecklistSource } from '../renderers/timeline.js';

/**
 * The checklist of the runbook the run used: from run.started (transcripts since it is
 * recorded there), else from the file — its absolute path, its recorded path as given or
 * relative to the directory above `transcripts/` — and only if its sha256 still matches.
 */
export async function runbookChecklist(started: RunStarted, transcriptPath: string): Promise<ChecklistSource> {
  if (started.checklist) return { items: started.checklist.map(({ text, checked, owner }) => ({ text, checked, ...(owner !== undefined ? { owner } : {}) })) };
  const { path, sha256, absolutePath } = started.runbook;
  const candidates = [...(absolutePath ? [absolutePath] : []), path, resolve(dirname(transcriptPath), '..', path), resolve(dirname(transcriptPath), path)];
  const found = candidates.find((candidate) => existsSync(candidate));
  const unknown = 'its items are unknown here except those the run ticked, listed below';
  if (!found) return { note: `The runbook ${path} is not here (looked for ${[...new Set(candidates)].join(', ')}); ${unknown}.` };
  try {
    const runbook = await readRunbookFile(found);
    if (runbook.sha256 !== sha256) return { note: `${path} changed since the run (sha256 differs); ${unknown}.` };
    return { items: runbook.checklist.map(({ text, checked, owner }) => ({ text, checked, ...(owner !== undefined ? { owner } : {}) })) };
  } catch (error) {
    return { note: `The runbook ${path} could not be read (${(error as Error).message}); ${unknown}.` };
  }
}
