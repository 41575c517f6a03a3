/**
 * Reads a transcript for replay and timelines. Forgiving where a crash or a newer
 * version leaves its marks (a torn last line is a warning; an unknown event type is
 * kept as an UnknownEvent), strict only about a file that is not a transcript at all.
 */
import type { RunEvent, UnknownEvent } from '../events.js';
import { isEventShaped, looksLikeTranscript, notATranscript, rawLines } from './lines.js';

export interface TranscriptContents {
  /** Known types are RunEvents; others come back as they are (renderers say they do not know them). */
  events: (RunEvent | UnknownEvent)[];
  warnings: string[];
}

export async function readTranscript(path: string): Promise<TranscriptContents> {
  const events: (RunEvent | UnknownEvent)[] = [];
  const warnings: string[] = [];
  for await (const raw of rawLines(path)) {
    if (raw.number === 1 && !looksLikeTranscript(raw.bytes)) throw notATranscript(path, 'line 1 is not a JSON event with v, seq and type');
    if (raw.bytes.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(raw.bytes.toString('utf8'));
    } catch {
      warnings.push(
        raw.terminated
          ? `line ${raw.number} of ${path} is not valid JSON; skipped`
          : `line ${raw.number} of ${path} is incomplete (the run was probably killed while writing it); read up to line ${raw.number - 1}`,
      );
      continue;
    }
    if (!isEventShaped(value)) {
      warnings.push(`line ${raw.number} of ${path} is not an event (no v, seq or type); skipped`);
      continue;
    }
    events.push(value as RunEvent | UnknownEvent);
  }
  if (events.length === 0 && warnings.length === 0) throw notATranscript(path, 'the file is empty');
  return { events, warnings };
}

const KNOWN_TYPES = new Set<string>([
  'run.started', 'run.resumed', 'run.preflight', 'variable.bound', 'cell.started', 'cell.output',
  'cell.output.spilled', 'sql.result', 'cell.finished', 'operator.decision', 'operator.note',
  'checklist.ticked', 'run.finished',
]);

/** Narrows an event read from a file to the union this version knows. */
export function isKnownEvent(event: RunEvent | UnknownEvent): event is RunEvent {
  return KNOWN_TYPES.has(event.type);
}
