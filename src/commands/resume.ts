/**
 * `runbook resume <transcript>`: continues a killed or quit run after its last finished
 * cell, with the same run id, appending to the same transcript (`run.resumed`). Values
 * come back from the transcript; secrets were never stored and are asked for again
 * (from --var, the environment, or the operator).
 */
import { existsSync } from 'node:fs';
import { EXIT, InputError } from '../engine/errors.js';
import { readRunbookFile } from '../engine/parse.js';
import { readResumeState, remainingCells } from '../engine/resume-point.js';
import { modeOf, openSession, type RunFlags, type Session } from '../engine/session.js';
import { retireSignature, requireKey } from '../engine/transcript/signature.js';
import { NO_TERMINAL, recordedArgv, runUnattended, runWithTerminal, signIfAsked } from './run.js';

export type ResumeFlags = Pick<RunFlags, 'db' | 'yes' | 'var' | 'json' | 'keepGoing' | 'allowWrites' | 'actor' | 'strict' | 'signKey' | 'log' | 'incident'>;

export async function resume(transcriptPath: string, flags: ResumeFlags, argv: string[] = []): Promise<number> {
  const mode = modeOf(flags);
  if (mode === 'interactive' && !(process.stdin.isTTY && process.stdout.isTTY)) {
    process.stderr.write(`${NO_TERMINAL}\n`);
    return EXIT.usage;
  }
  if (flags.signKey) requireKey(flags.signKey);
  const state = await readResumeState(transcriptPath);
  const { path, sha256 } = state.started.runbook;
  if (!existsSync(path)) {
    throw new InputError(`the runbook of this run, ${path}, is not there (relative to ${process.cwd()}); resume from the directory the run started in`);
  }
  const runbook = await readRunbookFile(path);
  if (runbook.sha256 !== sha256) {
    throw new InputError(`${path} changed since run ${state.runId} started (sha256 differs); a resumed run must run the same runbook — start a new run instead`);
  }
  const { skip, from } = remainingCells(runbook, state);
  const session = await openSession({
    runbook,
    flags,
    argv: recordedArgv(argv),
    mode,
    resume: { runId: state.runId, nextSeq: state.lastSeq + 1, skipCells: skip, statuses: state.statuses, attempts: state.attempts, from, transcriptPath, variables: state.variables },
  });
  sameTarget(session, state.started.target);
  // From the first appended line on, an old signature no longer covers the record's end.
  const kept = retireSignature(transcriptPath, state.lastSeq);
  if (kept) process.stderr.write(`runbook: ${transcriptPath}.sig covered the run up to seq ${state.lastSeq}; kept as ${kept}${flags.signKey ? '' : '; sign again with --sign-key or runbook sign'}\n`);
  const code = mode === 'interactive' ? await runWithTerminal(session) : await runUnattended(session, flags);
  return signIfAsked(code, transcriptPath, flags);
}

/** A resumed run talks to the database the run started against, or not at all. */
function sameTarget(session: Session, recorded: { kind: string; url: string }): void {
  const now = session.target;
  const same = now.kind === recorded.kind && (now.kind === 'sandbox' || now.maskedUrl === recorded.url);
  if (same) return;
  void session.close();
  throw new InputError(
    `this run started against ${recorded.kind} ${recorded.url || '(no database)'}, but now resolves ${now.kind} ${now.maskedUrl || '(no database)'}; pass the same --db to resume`,
  );
}
