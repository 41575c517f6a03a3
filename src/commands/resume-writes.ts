/**
 * Before a resumed run goes on: the SQL writes the killed run left without an end are
 * settled from what the server says, so none runs twice. Committed → recorded as succeeded
 * (from that evidence) and not run again; rolled back → recorded so, and run again; still
 * running → refused, naming the backend and how to cancel it; unknown (a cell with its own
 * transactions whose backend has ended) → the operator decides in the console, and
 * unattended only `--rerun-unknown` lets it run again.
 */
import { createInterface } from 'node:readline/promises';
import { InputError } from '../engine/errors.js';
import { askServer, type WriteFate } from '../engine/lang/sql/in-doubt.js';
import type { ResumeState } from '../engine/resume-point.js';
import type { SettledAttempt } from '../engine/runner/types.js';
import type { RunMode } from '../engine/events.js';

export interface SettleOptions {
  /** The target's URL (the sandbox started if it is the target). */
  url: string;
  maskedUrl: string;
  mode: RunMode;
  /** `--rerun-unknown`: unattended, a write whose outcome cannot be known runs again. */
  rerunUnknown: boolean;
  /** The console's question, yes or no; default: a line on the terminal. */
  ask?: (question: string) => Promise<boolean>;
}

/**
 * Settles every unfinished write of `state`, or throws InputError (nothing changed). Marks
 * committed cells finished in `state` (statuses and the selection), so the run skips them.
 */
export async function settleUnfinishedWrites(state: ResumeState, options: SettleOptions): Promise<SettledAttempt[]> {
  if (state.unsettledWrites.length === 0) return [];
  let fates: WriteFate[];
  try {
    fates = await askServer(options.url, state.unsettledWrites);
  } catch (error) {
    throw new InputError(
      `cannot ask ${options.maskedUrl} what became of ${describeCells(state)} (${(error as Error).message}); ` +
        `resume needs the server to say whether the write committed — try again when it answers`,
    );
  }
  const running = fates.find((f): f is Extract<WriteFate, { fate: 'running' }> => f.fate === 'running');
  if (running) {
    const { cell, attempt, pid, xid } = running.write;
    const query = running.query.replace(/\s+/g, ' ').trim();
    throw new InputError(
      `cell ${cell} (attempt ${attempt}) is still running on the server: backend pid ${pid}` +
        `${xid ? `, transaction ${xid}` : ''}, ${running.state}${query ? `: ${clip(query)}` : ''}; ` +
        `wait for it to end, or cancel it (SELECT pg_cancel_backend(${pid})), then run: runbook resume ${state.transcriptPath}`,
    );
  }
  const settled: SettledAttempt[] = [];
  for (const fate of fates) settled.push(await settle(fate, state, options));
  return settled;
}

async function settle(fate: WriteFate, state: ResumeState, options: SettleOptions): Promise<SettledAttempt> {
  const { cell, attempt, pid, xid, startedTs, lastTs } = fate.write;
  const durationMs = startedTs && lastTs ? Math.max(0, Date.parse(lastTs) - Date.parse(startedTs)) : 0;
  if (fate.fate === 'committed') {
    state.statuses[cell] = 'succeeded';
    state.selection.resume?.finished.push(cell);
    return {
      cell, attempt, status: 'succeeded', durationMs,
      reason: `the CLI ended before it heard back, but transaction ${xid} committed (pg_xact_status, asked on resume): not run again`,
      evidence: { ...(xid ? { xid } : {}), pid, xactStatus: 'committed', decidedBy: 'server' },
    };
  }
  if (fate.fate === 'aborted') {
    return {
      cell, attempt, status: 'cancelled', durationMs,
      reason: `the CLI ended before the write committed; the server rolled transaction ${xid} back (pg_xact_status, asked on resume): it runs again`,
      evidence: { ...(xid ? { xid } : {}), pid, xactStatus: 'aborted', decidedBy: 'server' },
    };
  }
  const why = fate.fate === 'unknown' ? fate.why : 'the server cannot say';
  const again = await runAgain(`cell ${cell} (attempt ${attempt}): whether its write took effect cannot be known: ${why}`, options);
  if (!again) {
    throw new InputError(
      `cell ${cell} (attempt ${attempt}) may or may not have written: ${why}; check the database, then resume with --rerun-unknown ` +
        `to run it again (or start a new run without it): runbook resume ${state.transcriptPath}`,
    );
  }
  return {
    cell, attempt, status: 'cancelled', durationMs,
    reason: `outcome unknown (${why}); run again, as ${options.mode === 'interactive' && !options.rerunUnknown ? 'the operator chose' : '--rerun-unknown asked'}`,
    evidence: { pid, xactStatus: 'unknown', decidedBy: options.mode === 'interactive' && !options.rerunUnknown ? 'operator' : 'flag' },
  };
}

async function runAgain(problem: string, options: SettleOptions): Promise<boolean> {
  if (options.rerunUnknown) return true;
  if (options.mode !== 'interactive') return false;
  const ask = options.ask ?? askOnTerminal;
  return ask(`${problem}.\nRun it again? Check the database first. [y/N] `);
}

async function askOnTerminal(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

function describeCells(state: ResumeState): string {
  return state.unsettledWrites.map((w) => `cell ${w.cell} (attempt ${w.attempt})`).join(', ');
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
