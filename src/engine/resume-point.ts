/**
 * Reads a transcript to find where a killed or quit run stopped: its runbook, run id,
 * the cells already finished (not run again), the values it had (never the secrets),
 * and the cell to go on from.
 */
import { InputError } from './errors.js';
import { liveMembers, type GroupIdentity } from './process/group-identity.js';
import { isKnownEvent, readTranscript } from './transcript.js';
import type { CellStatus, RunEvent, RunStarted, SqlTransaction } from './events.js';
import type { Selection } from './plan/types.js';
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
  /** Cells whose last finish was a skip because they could not run (`unavailable`), with the reason. */
  unavailable: Record<string, string>;
  /** Id of the last cell that finished (not counting a cancelled one, which runs again). */
  lastFinished?: string;
  /** The process groups of attempts that started and never finished (killed with the CLI, or escaped it). */
  unfinishedGroups: UnfinishedGroup[];
  /** SQL writes that started and never finished: the server knows what became of them (see lang/sql/in-doubt.ts). */
  unsettledWrites: UnsettledWrite[];
  /**
   * The cells still to walk: the run's recorded selection (`--from`, `--only`), from where
   * the operator's path stopped — after the last finished cell, at a cancelled cell (it
   * runs again), or at the cell a later jump moved to — leaving out cells that finished.
   */
  selection: Selection;
  /** The transcript's events, as read (the console shows them as the run's history). */
  history: RunEvent[];
}

/** A SQL write's record (`sql.transaction`) whose attempt has no `cell.finished`. */
export interface UnsettledWrite extends Pick<SqlTransaction, 'cell' | 'attempt' | 'pid' | 'backendStart' | 'xid' | 'own'> {
  /** When the attempt's cell.started was stamped, and the last event before the run stopped: its recorded span. */
  startedTs?: string;
  lastTs?: string;
}

export interface UnfinishedGroup extends GroupIdentity {
  cell: string;
  attempt: number;
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
  const unavailable: Record<string, string> = {};
  let lastFinished: string | undefined;
  let position: { cell: string; after: boolean } | undefined;
  /** Per cell, the group of its latest attempt until a cell.finished closes it; earlier unclosed ones stay listed. */
  const open = new Map<string, UnfinishedGroup>();
  const unfinishedGroups: UnfinishedGroup[] = [];
  /** Per cell, the SQL write record of its latest attempt, until a cell.finished closes it. */
  const writes = new Map<string, UnsettledWrite>();
  /** Cells typed in the console: their groups are checked like any, but they are no point to resume from. */
  const adhoc = new Set<string>();
  const startedAt = new Map<string, string>();
  for (const event of events) {
    if (event.type === 'cell.started') startedAt.set(event.cell, event.ts);
    if (event.type === 'sql.transaction') {
      const { cell, attempt, pid, backendStart, xid, own } = event;
      const startedTs = startedAt.get(cell);
      writes.set(cell, { cell, attempt, pid, backendStart, ...(xid ? { xid } : {}), ...(own ? { own } : {}), ...(startedTs ? { startedTs } : {}) });
    }
    if (event.type === 'operator.decision' && event.action === 'jump' && event.to) position = { cell: event.to, after: false };
    if (event.type === 'variable.bound') {
      if (event.secret || event.value === undefined) {
        secretNames.add(event.name);
        values.delete(event.name);
      } else {
        values.set(event.name, { name: event.name, value: event.value, source: event.source, secret: false });
      }
    }
    if (event.type === 'cell.started') {
      attempts[event.cell] = Math.max(attempts[event.cell] ?? 0, event.attempt ?? 1);
      const earlier = open.get(event.cell);
      if (earlier) unfinishedGroups.push(earlier);
      open.delete(event.cell);
      if (event.pgid !== undefined) open.set(event.cell, { cell: event.cell, attempt: event.attempt ?? 1, pgid: event.pgid, ...(event.leaderStart ? { leaderStart: event.leaderStart } : {}) });
    }
    if (event.type === 'cell.started' && event.adhoc) adhoc.add(event.cell);
    if (event.type === 'cell.finished' && adhoc.has(event.cell)) open.delete(event.cell);
    else if (event.type === 'cell.finished') {
      open.delete(event.cell);
      if (event.attempt === undefined || writes.get(event.cell)?.attempt === event.attempt) writes.delete(event.cell);
      if (event.unavailable && event.reason) unavailable[event.cell] = event.reason;
      else delete unavailable[event.cell];
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
    unavailable,
    lastFinished,
    unfinishedGroups: [...unfinishedGroups, ...open.values()],
    unsettledWrites: [...writes.values()].map((w) => ({ ...w, lastTs: events.at(-1)?.ts ?? started.ts })),
    history: events,
    selection: {
      ...recordedSelection(started),
      // A jump back and a rerun must not run later cells twice: every finished cell stays done.
      resume: { ...(position ? { at: position.cell, after: position.after } : {}), finished: Object.keys(statuses).filter((id) => statuses[id] !== 'cancelled') },
    },
  };
}

/** `--from` / `--only` as the run recorded them in run.started (the resume point is read from the cells). */
function recordedSelection(started: RunStarted): Selection {
  const { from, only } = started.selection ?? {};
  return { ...(from ? { from } : {}), ...(only?.length ? { only } : {}) };
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

/** How long a live group may take to go: right after a kill -9 of the CLI its reaper is still at work. */
const REAPER_GRACE_MS = 3000;

/**
 * Refuses to go on while an earlier attempt's processes still run (the CLI and its reaper
 * were both killed, say): the cell would run twice at once. Names every live process.
 */
export async function refuseLiveAttempts(state: Pick<ResumeState, 'unfinishedGroups' | 'transcriptPath'>, graceMs = REAPER_GRACE_MS): Promise<void> {
  const until = Date.now() + graceMs;
  for (const group of state.unfinishedGroups) {
    let live = liveMembers(group);
    while (live.length > 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      live = liveMembers(group);
    }
    if (live.length === 0) continue;
    const shown = live.slice(0, 5).map((p) => `pid ${p.pid} (${p.command})`).join(', ') + (live.length > 5 ? `, and ${live.length - 5} more` : '');
    throw new InputError(
      `cell ${group.cell} (attempt ${group.attempt}) is still running from before, in process group ${group.pgid}: ${shown}; ` +
        `wait for it to end or end it (kill -TERM -- -${group.pgid}), then run: runbook resume ${state.transcriptPath}`,
    );
  }
}
