/**
 * `runbook resume <transcript>`: continues a killed or quit run after its last finished
 * cell, with the same run id, appending to the same transcript (`run.resumed`). Values
 * come back from the transcript; secrets were never stored and are asked for again
 * (from --var, the environment, or the operator).
 *
 * Everything that can refuse is checked first — the transcript (a run, not finished, not
 * in use), the runbook (there, unchanged), the flags, the target (the same one) — and only
 * then is the transcript locked and its torn tail cut, or the sandbox started. A refused
 * resume leaves the transcript byte for byte as it was.
 */
import { existsSync } from 'node:fs';
import { InputError } from '../engine/errors.js';
import { readRunbookFile } from '../engine/parse.js';
import { readResumeState, refuseLiveAttempts } from '../engine/resume-point.js';
import { prepareSession, type SessionRequest } from '../engine/session.js';
import { startTarget } from '../engine/target.js';
import { retireSignature } from '../engine/transcript/signature.js';
import { EXIT } from './exit.js';
import { actorOf, notifyOf, type RunFlags } from './run-flags.js';
import { logFlags, recordedArgv, runUnattended, runWithTerminal, secretValues, signIfAsked, startOf } from './run.js';
import { hideArguments } from './hide-arguments.js';
import { settleUnfinishedWrites } from './resume-writes.js';
import { seedConfirmer } from './seed-confirm.js';
import type { SettledAttempt } from '../engine/runner/types.js';

export type ResumeFlags = Pick<RunFlags, 'db' | 'yes' | 'var' | 'varFile' | 'json' | 'keepGoing' | 'allowWrites' | 'actor' | 'strict' | 'signKey' | 'log' | 'incident' | 'notify' | 'notifyOn' | 'trustSeed'> & {
  /** Unattended: a SQL write whose outcome the server cannot tell runs again. */
  rerunUnknown?: boolean;
};

export async function resume(transcriptPath: string, flags: ResumeFlags, argv: string[] = []): Promise<number> {
  const start = startOf(flags);
  if (!start) return EXIT.usage;
  const { mode, values } = start;
  const state = await readResumeState(transcriptPath);
  // An earlier attempt still running would make this one its twin (a reaper at work gets a moment to finish).
  await refuseLiveAttempts(state);
  const { path, sha256 } = state.started.runbook;
  if (!existsSync(path)) {
    throw new InputError(`the runbook of this run, ${path}, is not there (relative to ${process.cwd()}); resume from the directory the run started in`);
  }
  const runbook = await readRunbookFile(path);
  if (runbook.sha256 !== sha256) {
    throw new InputError(`${path} changed since run ${state.runId} started (sha256 differs); a resumed run must run the same runbook — start a new run instead`);
  }
  const notify = notifyOf(flags, runbook);
  const request = (settled: SettledAttempt[]): SessionRequest => ({
    runbook,
    selection: state.selection,
    mode,
    ...(flags.db !== undefined ? { db: flags.db } : {}),
    values,
    actor: actorOf(flags),
    argv: recordedArgv(argv),
    keepGoing: flags.keepGoing === true,
    strict: flags.strict === true,
    allowWrites: flags.allowWrites === true,
    ...logFlags(flags),
    ...notify,
    confirmSeed: seedConfirmer(flags),
    resume: {
      runId: state.runId,
      nextSeq: state.lastSeq + 1,
      statuses: state.statuses,
      attempts: state.attempts,
      unavailable: state.unavailable,
      transcriptPath,
      variables: state.variables,
      target: state.started.target,
      settled,
      history: state.history,
    },
  });
  let prepared = await prepareSession(request([]));
  // A SQL write the CLI did not live to finish: the server says whether it committed (the same target, checked above).
  if (state.unsettledWrites.length > 0 && prepared.target.kind !== 'none') {
    const target = await startTarget(prepared.target, runbook, process.env);
    const settled = await settleUnfinishedWrites(state, { url: target.url, maskedUrl: target.maskedUrl, mode, rerunUnknown: flags.rerunUnknown === true });
    // Committed writes are finished now: planned again, so the run does not walk them.
    prepared = await prepareSession(request(settled));
  }
  hideArguments(secretValues(prepared.variables));
  const session = await prepared.open();
  // From the first appended line on, an old signature no longer covers the record's end.
  const kept = retireSignature(transcriptPath, state.lastSeq);
  if (kept) process.stderr.write(`runbook: ${transcriptPath}.sig covered the run up to seq ${state.lastSeq}; kept as ${kept}${flags.signKey ? '' : '; sign again with --sign-key or runbook sign'}\n`);
  const code = mode === 'interactive' ? await runWithTerminal(session) : await runUnattended(session, flags);
  return signIfAsked(code, transcriptPath, flags);
}
