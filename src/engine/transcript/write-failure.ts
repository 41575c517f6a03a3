/**
 * A transcript (or one of its sidecars) that cannot be written: a full disk, a quota, an
 * I/O error. The writer keeps the first failure, cuts any half-written line so every line
 * on disk still verifies, and from then on refuses every event but `run.finished` (tried
 * once, so the record can say how it ended). The command turns the failure into one line
 * and an exit code: 2 when no cell had started (the file is removed: nothing was run and
 * nothing is left behind), 1 mid-run (the cell is cancelled, the record kept).
 */
import { rmdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';

export interface TranscriptFailure {
  /** The file that could not be written: the transcript or a sidecar of it. */
  file: string;
  transcript: string;
  /** ENOSPC, EDQUOT, EIO…; undefined when the error had none. */
  code?: string;
  /** The event that was not written, as `seq N (type)`. */
  lost: string;
  /** No cell had started: the run never began, and the file is removed when it closes. */
  beforeRun: boolean;
  /** For `run.finished.reason`. */
  reason: string;
  /** The one line for the operator: what, where, what to do. */
  message: string;
}

/** Thrown by the writer for an event that did not reach the file; the emitter keeps it off every screen. */
export class TranscriptWriteError extends Error {
  constructor(readonly failure: TranscriptFailure) {
    super(failure.message);
    this.name = 'TranscriptWriteError';
  }
}

export function describeFailure(input: { file: string; transcript: string; error: unknown; lost: string; beforeRun: boolean; resumed: boolean }): TranscriptFailure {
  const { file, transcript, lost, beforeRun, resumed } = input;
  const code = (input.error as NodeJS.ErrnoException | undefined)?.code;
  const what = errorText(input.error);
  const which = file === transcript ? `transcript ${file}` : `sidecar ${file} of transcript ${transcript}`;
  const reason = `cannot write ${file === transcript ? 'the transcript' : `sidecar ${file}`}: ${what}`;
  const message = beforeRun
    ? `cannot write ${which}: ${what}; nothing was run and ${resumed ? 'the transcript is as it was' : 'no file was left'} — ${remedy(code)}`
    : `cannot write ${which}: ${what}; ${lost} and what followed were not recorded, the run was stopped (a running cell cancelled) and every line before is kept — ` +
      `${code === 'ENOSPC' || code === 'EDQUOT' ? 'free space on that disk' : 'fix the disk'}, then check the record with: runbook verify ${transcript}, and continue the run with: runbook resume ${transcript}`;
  return { file, transcript, ...(code ? { code } : {}), lost, beforeRun, reason, message };
}

/** What the operator can do about a transcript that cannot be written before the run. */
export function remedy(code: string | undefined): string {
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'free space on that disk, or choose another --transcript';
  return 'make its directory writable, or choose another --transcript';
}

/** `no space left on device (ENOSPC)` from Node's `ENOSPC: no space left on device, write`. */
export function errorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException | undefined;
  const message = e instanceof Error ? e.message : String(error);
  if (!e?.code) return message;
  const text = message.replace(new RegExp(`^${e.code}: `), '').replace(/, \w+( '[^']*')?$/, '');
  return `${text} (${e.code})`;
}

/** Removes what a failed open or a run that never began created: the file, then the (empty) directories made for it. */
export function leaveNothing(path: string, made: { file: boolean; dir?: string }): void {
  if (made.file) {
    try {
      unlinkSync(path);
    } catch {
      // Never created, or already gone.
    }
  }
  if (!made.dir) return;
  for (let dir = dirname(path); dir.length >= made.dir.length; dir = dirname(dir)) {
    try {
      rmdirSync(dir);
    } catch {
      return;
    }
    if (dir === made.dir) return;
  }
}
