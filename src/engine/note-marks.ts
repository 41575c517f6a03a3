/**
 * What a note says about the incident besides its text, read once, when it is written:
 * `detected 02:55 pager fired` (or `symptom …`, `first symptom …`) marks the moment the
 * incident was detected, or its first symptom seen, at the time given or when the note
 * was typed; `role: IC` (or `role: IC alice`) names who holds a role. The timeline's
 * clock and its People list read these fields; nobody parses the text again.
 */
export type NoteMark = 'detected' | 'first-symptom';

export interface NoteFacts {
  mark?: NoteMark;
  /** ISO 8601 UTC: the moment the mark stands for (the note's own time when none was given). */
  markedAt?: string;
  role?: string;
  /** Who holds the role, when the note names someone other than its author. */
  holder?: string;
}

const MARK = /^(detected|detection|first[ -]symptom|symptom)\b[:\s]*/i;
const ROLE = /^role\s*:\s*([A-Za-z][\w-]*)(?:\s+(\S.*))?$/i;

export function noteFacts(text: string, now: Date): NoteFacts {
  const trimmed = text.trim();
  const role = ROLE.exec(trimmed);
  if (role) return { role: (role[1] as string).toUpperCase(), ...(role[2] ? { holder: role[2].trim() } : {}) };
  const mark = MARK.exec(trimmed);
  if (!mark) return {};
  const kind: NoteMark = /^detect/i.test(mark[1] as string) ? 'detected' : 'first-symptom';
  const rest = trimmed.slice(mark[0].length);
  const time = /^(?:at\s+)?(\S+)/i.exec(rest)?.[1];
  const at = time ? parseIncidentTime(time, now) : undefined;
  return { mark: kind, markedAt: (at ?? now).toISOString() };
}

/**
 * An incident time as people type it: ISO 8601 (`2026-11-28T19:58:00Z`; without a zone it is
 * UTC) or a UTC clock time `HH:MM[:SS]` — today, or yesterday when that would be in the
 * future. Undefined when the text is neither.
 */
export function parseIncidentTime(text: string, now: Date): Date | undefined {
  const clock = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (clock) {
    const [hours, minutes, seconds] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
    if (hours > 23 || minutes > 59 || seconds > 59) return undefined;
    const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hours, minutes, seconds));
    if (at.getTime() > now.getTime()) at.setUTCDate(at.getUTCDate() - 1);
    return at;
  }
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text)) return undefined;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`;
  const at = new Date(zoned.replace(' ', 'T'));
  return Number.isNaN(at.getTime()) ? undefined : at;
}
