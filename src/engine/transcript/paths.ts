/** Where transcripts and their sidecar files live. */
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/** `20260102T030405Z`: sortable, and safe in a file name on every system. */
export function compactUtc(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/**
 * `./transcripts/<runbook basename>-<YYYYMMDDTHHMMSSZ>.jsonl`, with `-2`, `-3`… when
 * a transcript of that name already exists (two runs in the same second).
 */
export function defaultTranscriptPath(runbookPath: string, now: Date, cwd?: string): string {
  const name = basename(runbookPath, extname(runbookPath)) || 'runbook';
  const stem = join(cwd ?? '.', 'transcripts', `${name}-${compactUtc(now)}`);
  const taken = (candidate: string) => existsSync(candidate) || existsSync(`${candidate}.lock`);
  let candidate = `${stem}.jsonl`;
  for (let n = 2; taken(candidate); n += 1) candidate = `${stem}-${n}.jsonl`;
  return candidate;
}

/** `<transcript without .jsonl>.<cell>.<stream>.log`, beside the transcript. */
export function sidecarPathFor(transcriptPath: string, cell: string, stream: string): string {
  const stem = basename(transcriptPath).replace(/\.jsonl$/i, '');
  return join(dirname(transcriptPath), `${stem}.${safe(cell)}.${safe(stream)}.log`);
}

function safe(part: string): string {
  return part.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_') || '_';
}
