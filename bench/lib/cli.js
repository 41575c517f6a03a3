/** How the bench calls the engine: the built CLI, as a user would, from the repository root. */
import { join } from 'node:path';
import { ROOT } from './generate.js';

export const RUNBOOK = join(ROOT, 'bin', 'runbook.js');

/** Spec for compare(): `node bin/runbook.js ...args`. */
export const runbook = (args, options = {}) => ({ command: process.execPath, args: [RUNBOOK, ...args], options: { cwd: ROOT, ...options } });

/** The events of a transcript file, parsed; throws on a line that is not JSON. */
export async function readEvents(path) {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(path, 'utf8');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/**
 * A check for compare(): the transcript exists and has `expected` succeeded cells.
 * Says what is wrong otherwise, so the row reads FAILED with a reason.
 */
export function succeededCells(transcriptPath, expected) {
  return async () => {
    let events;
    try {
      events = await readEvents(transcriptPath);
    } catch (error) {
      return `transcript ${transcriptPath}: ${error.message}`;
    }
    const finished = events.filter((e) => e.type === 'cell.finished');
    const ok = finished.filter((e) => e.status === 'succeeded').length;
    if (ok !== expected) {
      const bad = finished.find((e) => e.status !== 'succeeded');
      return `transcript has ${ok}/${expected} succeeded cells${bad ? ` (first other: ${bad.cell} ${bad.status}${bad.error ? `: ${bad.error.message}` : ''})` : ''}`;
    }
    return undefined;
  };
}
