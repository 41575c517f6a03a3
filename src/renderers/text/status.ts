/**
 * How every renderer names a cell's status: one glyph, one word, one sentence for a
 * finished attempt. Plain output, the console, the timeline and the recordings made from
 * them all read these, so a cell that plain output calls `✓ succeeded in 1.9 s` is not
 * `✔ 2.0 s` on the console.
 */
import type { CellStatus } from '../../engine/events.js';
import { duration } from './time.js';

/** Every status a renderer shows: the transcript's five, and the console's two before a cell ends. */
export type ShownStatus = CellStatus | 'pending' | 'running';

/**
 * One column each, and no finished status an emoji: ✔ (U+2714) and ⏱ (U+23F1) have emoji
 * presentations that some terminals and GitHub draw two columns wide or in colour, which
 * breaks an aligned column; ✓ ✗ ⧗ ⊘ ↷ are text symbols everywhere. ▶ (running, also the
 * plain header's cell marker) is drawn as text unless followed by VS16, which nothing here writes.
 */
export const STATUS_GLYPH = {
  pending: '·',
  running: '▶',
  succeeded: '✓',
  failed: '✗',
  skipped: '↷',
  cancelled: '⊘',
  'timed-out': '⧗',
} as const satisfies Record<ShownStatus, string>;

/** The status as a word in a sentence: `timed out`, not the transcript's `timed-out`. */
export function statusWord(status: ShownStatus): string {
  return status === 'timed-out' ? 'timed out' : status;
}

/** `1 error`, `2 errors` (PowerShell errors a cell wrote and went on after); empty for none. */
export function errorsCount(errors: number | undefined): string {
  if (!errors) return '';
  return `${errors} ${errors === 1 ? 'error' : 'errors'}`;
}

/** What a finished attempt says about itself; every field but the status is optional. */
export interface FinishedFacts {
  status: CellStatus;
  durationMs?: number;
  exitCode?: number;
  errors?: number;
  reason?: string;
}

/**
 * The one sentence for a finished attempt, everywhere:
 * `succeeded in 1.9 s · exit 0 · 2 errors`, `failed after 12 ms · exit 3`,
 * `timed out after 30 s`, `cancelled after 1.5 s (stopped by alice)`, `skipped (dry run)`.
 * `brief`: without the exit code and error count, for a one-line list of cells.
 */
export function finishedPhrase(facts: FinishedFacts, options: { brief?: boolean } = {}): string {
  const reason = facts.reason ? ` (${facts.reason})` : '';
  if (facts.status === 'skipped') return `skipped${reason}`;
  const took = facts.durationMs === undefined ? '' : ` ${facts.status === 'succeeded' ? 'in' : 'after'} ${duration(facts.durationMs)}`;
  const extra = options.brief ? [] : [facts.exitCode === undefined ? '' : `exit ${facts.exitCode}`, errorsCount(facts.errors)].filter(Boolean);
  const tail = extra.map((fact) => ` · ${fact}`).join('');
  return `${statusWord(facts.status)}${took}${tail}${facts.status === 'cancelled' ? reason : ''}`;
}

const COUNT_ORDER: readonly CellStatus[] = ['succeeded', 'failed', 'timed-out', 'cancelled', 'skipped'];

/** `2 succeeded, 1 timed out`: a run's cells by status, in one order everywhere; empty when none finished. */
export function statusCounts(counts: Partial<Record<CellStatus, number>>): string {
  return COUNT_ORDER.filter((status) => counts[status]).map((status) => `${counts[status]} ${statusWord(status)}`).join(', ');
}
