/**
 * Which events go to a notifier: `--notify-on run,write,failure,escalation` (or `all`, the
 * default). Read once at the entry; the sink asks `wants(event)`.
 *
 * - `run`: run.started, run.resumed, run.finished
 * - `write`: cell.started of an attempt whose effect is a write
 * - `failure`: cell.finished failed or timed out, run.finished failed or aborted
 * - `escalation`: run.escalation (the runbook's "If unresolved in N min" reached, the run still going)
 * - `notify`: the notifier's own troubles are recorded in the transcript, never sent to it
 */
import { InputError } from '../errors.js';
import type { RunEvent } from '../events.js';

export type NotifyKind = 'run' | 'write' | 'failure' | 'escalation';
export const NOTIFY_KINDS: readonly NotifyKind[] = ['run', 'write', 'failure', 'escalation'];

export interface NotifyFilter {
  /** undefined: every event. */
  kinds?: ReadonlySet<NotifyKind>;
}

export function parseNotifyOn(value: string | undefined, where = '--notify-on'): NotifyFilter {
  if (value === undefined || value.trim() === '' || value.trim() === 'all') return {};
  const kinds = new Set<NotifyKind>();
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    if (part === 'all') return {};
    if (!(NOTIFY_KINDS as readonly string[]).includes(part)) throw new InputError(`${where} ${JSON.stringify(value)}: unknown kind "${part}"; use all, or a comma list of ${NOTIFY_KINDS.join(', ')}`);
    kinds.add(part as NotifyKind);
  }
  return { kinds };
}

export function wants(filter: NotifyFilter, event: RunEvent): boolean {
  if ((event.type as string) === 'notify.failed') return false;
  const kinds = filter.kinds;
  if (!kinds) return true;
  switch (event.type) {
    case 'run.started':
    case 'run.resumed':
      return kinds.has('run');
    case 'run.finished':
      return kinds.has('run') || (kinds.has('failure') && (event.status === 'failed' || event.status === 'aborted'));
    case 'cell.started':
      return kinds.has('write') && event.effect === 'write';
    case 'cell.finished':
      return kinds.has('failure') && (event.status === 'failed' || event.status === 'timed-out');
    case 'run.escalation':
      return kinds.has('escalation');
    default:
      return false;
  }
}
