/**
 * NDJSON: one JSON line per event, the same objects the transcript holds (already
 * stamped and redacted by the runner), for automation that reads stdout.
 */
import type { EventSink, RunEvent } from '../engine/events.js';

export function createNdjsonSink(write: (text: string) => void): EventSink {
  return (event: RunEvent) => {
    write(`${JSON.stringify(event, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}\n`);
  };
}
