/**
 * Reads a transcript to find where a killed or quit run stopped: its runbook, run id,
 * the cells already finished (not run again), the values it had (never the secrets),
 * and the cell to go on from.
 */
import { InputError } from './errors.js';
import { isKnownEvent, readTranscript } from './transcript.js';
import type { CellStatus, RunEvent, RunStarted } from './events.js';
import type { Runbook } from './runbook.js';
import type { BoundVariable } from './variables.js';

export interface ResumeState {
  transcriptPath: string;
  started: RunStarted;
  runId: string;
  /** Last seq in the transcript; the resumed run continues at lastSeq + 1. */
  lastSeq: number;
  /** Non-secret values as recorded; secret names (value to be given again) separately. */
  variables: BoundVariable[];
  secretNames: string[];
  /** Final status of every cell that finished (retries: the last one counts). */
  statuses: Record<string, CellStatus>;
  /** The highest attempt number each cell reached: a resumed run numbers on from there (one sidecar per attempt). */
  attempts: Record<string, number>;
  /** Id of the last cell that finished (not counting a cancelled one, which runs again). */
  lastFinished?: string;
  /**
   * Where the operator's path through the runbook stopped: after the last finished cell,
   * at a cancelled cell (it runs again), or at the cell a later jump moved to.
   */
  position?: { cell: string; after: boolean };
  /** `--only` of the original run, read from its argv. */
  only?: string[];
}

export async function readResumeState(path: string): Promise<ResumeState> {
  const { events: all } = await readTranscript(path);
  const events = all.filter(isKnownEvent);
  const started = events.find((e): e is RunStarted => e.type === 'run.started');
  if (!started) throw new InputError(`${path} has no run.started event; it is not the transcript of a run that can be resumed`);
  const ended = lastEnd(events);
  if (ended && ended.status !== 'aborted') {
    throw new InputError(`run ${started.run} in ${path} already finished (${ended.status}); nothing to resume — start a new run with runbook run`);
  }
  const values = new Map<string, BoundVariable>();
  const secretNames = new Set<string>();
  const statuses: Record<string, CellStatus> = {};
  const attempts: Record<string, number> = {};
  let lastFinished: string | undefined;
  let position: ResumeState['position'];
  for (const event of events) {
    if (event.type === 'operator.decision' && event.action === 'jump' && event.to) position = { cell: event.to, after: false };
    if (event.type === 'variable.bound') {
      if (event.secret || event.value === undefined) {
        secretNames.add(event.name);
        values.delete(event.name);
      } else {
        values.set(event.name, { name: event.name, value: event.value, source: event.source, secret: false });
      }
    }
    if (event.type === 'cell.started') attempts[event.cell] = Math.max(attempts[event.cell] ?? 0, event.attempt ?? 1);
    if (event.type === 'cell.finished') {
      statuses[event.cell] = event.status;
      if (event.status !== 'cancelled') lastFinished = event.cell;
      position = { cell: event.cell, after: event.status !== 'cancelled' };
    }
  }
  for (const name of values.keys()) secretNames.delete(name);
  return {
    transcriptPath: path,
    started,
    runId: started.run,
    lastSeq: events.at(-1)?.seq ?? started.seq,
    variables: [...values.values()],
    secretNames: [...secretNames],
    statuses,
    attempts,
    lastFinished,
    ...(position ? { position } : {}),
    only: optionList(started.argv, '--only'),
  };
}

/**
 * The cells still to walk: from where the operator's path stopped (after the last
 * finished cell, or at a later jump's target), in document order, leaving out cells
 * that already finished (a jump back and a rerun must not run later cells twice), within
 * the original `--only`.
 */
export function remainingCells(runbook: Runbook, state: ResumeState): { skip: string[]; from?: string } {
  const ids = runbook.cells.map((c) => c.id);
  const at = state.position ? ids.indexOf(state.position.cell) : -1;
  const startAt = at >= 0 && state.position ? at + (state.position.after ? 1 : 0) : startOf(ids, state.started.argv);
  const only = state.only ? new Set(state.only) : undefined;
  const done = (id: string) => state.statuses[id] !== undefined && state.statuses[id] !== 'cancelled';
  const remaining = ids.slice(startAt).filter((id) => (!only || only.has(id)) && !done(id));
  return { skip: ids.filter((id) => !remaining.includes(id)), from: remaining[0] };
}

function startOf(ids: string[], argv: string[]): number {
  const from = optionList(argv, '--from')?.[0];
  const index = from ? ids.indexOf(from) : 0;
  return index < 0 ? 0 : index;
}

/**
 * How the run last ended: the run.finished of its latest start or resume, or undefined
 * when that was killed. A start refused by preflight (a secret not given again, say)
 * ran nothing, so the one before it counts.
 */
function lastEnd(events: RunEvent[]): Extract<RunEvent, { type: 'run.finished' }> | undefined {
  const segments: RunEvent[][] = [];
  for (const event of events) {
    if (event.type === 'run.started' || event.type === 'run.resumed' || segments.length === 0) segments.push([]);
    segments.at(-1)?.push(event);
  }
  for (const segment of segments.reverse()) {
    const refused = segment.some((e) => e.type === 'run.preflight' && e.problems.some((p) => p.fatal));
    if (refused && !segment.some((e) => e.type === 'cell.started')) continue;
    return segment.find((e): e is Extract<RunEvent, { type: 'run.finished' }> => e.type === 'run.finished');
  }
  return undefined;
}

/** `--only a,b` or `--only=a,b` in a recorded argv. */
function optionList(argv: string[], flag: string): string[] | undefined {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const value = arg === flag ? argv[i + 1] : arg.startsWith(`${flag}=`) ? arg.slice(flag.length + 1) : undefined;
    if (value !== undefined) return value.split(',').map((s) => s.trim()).filter(Boolean);
  }
  return undefined;
}
