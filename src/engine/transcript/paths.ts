/** Where transcripts and their sidecar files live. */
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/**
 * `./transcripts/<runbook basename>-<run id>.jsonl` (the run id starts with its UTC
 * time), with `-2`, `-3`… in the unlikely case a transcript of that name exists.
 */
export function defaultTranscriptPath(runbookPath: string, runId: string, cwd?: string): string {
  const name = basename(runbookPath, extname(runbookPath)) || 'runbook';
  const stem = join(cwd ?? '.', 'transcripts', `${name}-${runId}`);
  const taken = (candidate: string) => existsSync(candidate) || existsSync(`${candidate}.lock`);
  let candidate = `${stem}.jsonl`;
  for (let n = 2; taken(candidate); n += 1) candidate = `${stem}-${n}.jsonl`;
  return candidate;
}

/** `<transcript without .jsonl>.<cell>.<attempt>.<stream>.log`, beside the transcript: one per cell attempt. */
export function sidecarPathFor(transcriptPath: string, cell: string, attempt: number | string, stream: string): string {
  const stem = basename(transcriptPath).replace(/\.jsonl$/i, '');
  return join(dirname(transcriptPath), `${stem}.${safe(cell)}.${safe(String(attempt))}.${safe(stream)}.log`);
}

function safe(part: string): string {
  return part.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_') || '_';
}
