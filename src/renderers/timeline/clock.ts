/**
 * The incident's clock: it starts at the first symptom or the detection (a note marked
 * `detected …` / `symptom …`, or `run --detected-at`) when those came before the run, else
 * at RUN STARTED; and the durations a postmortem quotes: detected → first action → first
 * write → resolved. Marks become rows of their own (DETECTED, FIRST SYMPTOM) at the moment
 * they stand for.
 */
import type { OperatorNote, RunEvent } from '../../engine/events.js';
import type { TimelineRow } from './types.js';
import { duration, utcStamp } from '../text/time.js';

export interface IncidentMark {
  mark: 'detected' | 'first-symptom';
  /** ISO 8601 UTC: the moment the mark stands for. */
  at: string;
  actor: string;
  run?: string;
  /** `--detected-at` on the command line, or the note that said it. */
  source: 'flag' | 'note';
  text?: string;
}

export interface Role {
  role: string;
  who: string;
  at: string;
}

export type MilestoneName = 'first-symptom' | 'detected' | 'run-started' | 'first-action' | 'first-write' | 'resolved';

export interface Milestone {
  name: MilestoneName;
  at: string;
  /** Since the clock's start. */
  sinceStartMs: number;
  step?: string;
}

export interface IncidentClock {
  /** ISO 8601 UTC: the first symptom, the detection or the first RUN STARTED, whichever came first. */
  startsAt: string;
  startsWith: MilestoneName;
  milestones: Milestone[];
}

/** The marks and roles one run's events carry: run.started's detectedAt, notes with a mark or a role. */
export function marksOf(event: RunEvent): { mark?: IncidentMark; role?: Role } {
  if (event.type === 'run.started' && event.detectedAt) return { mark: { mark: 'detected', at: event.detectedAt, actor: event.actor, run: event.run, source: 'flag' } };
  if (event.type !== 'operator.note') return {};
  const note = event as OperatorNote;
  if (note.role) return { role: { role: note.role, who: note.holder ?? note.actor, at: note.ts } };
  if (note.mark && note.markedAt) return { mark: { mark: note.mark, at: note.markedAt, actor: note.actor, run: note.run, source: 'note', text: note.text } };
  return {};
}

const ms = (iso: string) => Date.parse(iso);

/** The clock over rows ordered by time, given every run's start and marks. */
export function incidentClock(rows: TimelineRow[], runStarts: string[], marks: IncidentMark[]): IncidentClock | undefined {
  const firstOf = (name: IncidentMark['mark']) => marks.filter((m) => m.mark === name).sort((a, b) => ms(a.at) - ms(b.at))[0];
  const candidates: { name: MilestoneName; at: string; step?: string }[] = [];
  const symptom = firstOf('first-symptom');
  const detected = firstOf('detected');
  if (symptom) candidates.push({ name: 'first-symptom', at: symptom.at });
  if (detected) candidates.push({ name: 'detected', at: detected.at });
  const started = runStarts.filter((at) => Number.isFinite(ms(at))).sort((a, b) => ms(a) - ms(b))[0];
  if (started) candidates.push({ name: 'run-started', at: started });
  const acted = rows.find((row) => row.kind === 'cell' && row.details.status !== 'skipped');
  if (acted) candidates.push({ name: 'first-action', at: acted.at, ...(acted.step ? { step: acted.step } : {}) });
  const wrote = rows.find((row) => row.kind === 'cell' && row.details.effect === 'write' && row.details.status !== 'skipped');
  if (wrote) candidates.push({ name: 'first-write', at: wrote.at, ...(wrote.step ? { step: wrote.step } : {}) });
  const ended = rows.filter((row) => row.kind === 'run.finished').at(-1);
  if (ended && ended.details.status === 'succeeded') candidates.push({ name: 'resolved', at: ended.at });
  if (!candidates.length) return undefined;
  const start = [...candidates].filter((c) => c.name === 'first-symptom' || c.name === 'detected' || c.name === 'run-started').sort((a, b) => ms(a.at) - ms(b.at))[0] ?? candidates[0];
  if (!start) return undefined;
  const origin = ms(start.at);
  return {
    startsAt: start.at,
    startsWith: start.name,
    milestones: candidates.sort((a, b) => ms(a.at) - ms(b.at)).map((c) => ({ ...c, sinceStartMs: ms(c.at) - origin })),
  };
}

/** A row per mark, at the moment it stands for. */
export function markRows(marks: IncidentMark[]): TimelineRow[] {
  return marks.map((mark) => ({
    kind: mark.mark,
    at: mark.at,
    elapsedMs: 0,
    actor: mark.actor,
    ...(mark.run ? { run: mark.run } : {}),
    action: mark.mark === 'detected' ? 'DETECTED' : 'FIRST SYMPTOM',
    result: mark.source === 'flag' ? '--detected-at on the command line' : `noted: ${mark.text ?? ''}`,
    details: { mark: mark.mark, source: mark.source, ...(mark.text ? { text: mark.text } : {}) },
  }));
}

const MILESTONE_WORDS: Record<MilestoneName, string> = {
  'first-symptom': 'first symptom', detected: 'detected', 'run-started': 'RUN STARTED', 'first-action': 'first action', 'first-write': 'first write', resolved: 'resolved',
};

/**
 * `detected 2026-01-02 19:52:00.000 UTC → RUN STARTED +6 min → first action +6 min (containment) → resolved +14 min`,
 * the one wording of the clock for the Markdown, HTML and JSON timelines; `step` dresses the cell id (a code span in Markdown).
 */
export function clockSummary(clock: IncidentClock, step: (id: string) => string = (id) => id): string {
  const parts = clock.milestones.map((m, i) => {
    const when = i === 0 ? utcStamp(m.at) : `+${duration(m.sinceStartMs)}`;
    return `${MILESTONE_WORDS[m.name]} ${when}${m.step ? ` (${step(m.step)})` : ''}`;
  });
  const resolved = clock.milestones.some((m) => m.name === 'resolved') ? '' : ' → not resolved by the run';
  return `${parts.join(' → ')}${resolved}`;
}
