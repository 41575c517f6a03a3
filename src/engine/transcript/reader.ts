/**
 * Reads a transcript for replay and timelines. Forgiving where a crash or a newer
 * version leaves its marks (a torn last line is a warning; an unknown event type is
 * kept as an UnknownEvent), strict about a file that is not a transcript at all and about
 * a line whose fields break the v1 contract (contract.ts): the first one is named, exit 2.
 */
import type { RunEvent, UnknownEvent } from '../events.js';
import { InputError } from '../errors.js';
import { contractProblem, KNOWN_TYPES } from './contract.js';
import { isEventShaped, notATranscript, transcriptLineBatches } from './lines.js';
import { ChainChecker, type VerifyResult } from './verify.js';

export interface TranscriptContents {
  /** Known types are RunEvents; others come back as they are (renderers say they do not know them). */
  events: (RunEvent | UnknownEvent)[];
  warnings: string[];
  /** With `verify`: what verifyTranscript would say, found in the same pass. */
  verification?: VerifyResult;
}

export interface ReadOptions {
  /** Also check seq and the hash chain while reading (one pass instead of two). */
  verify?: boolean;
}

export async function readTranscript(path: string, options: ReadOptions = {}): Promise<TranscriptContents> {
  const events: (RunEvent | UnknownEvent)[] = [];
  const { warnings, verification } = await streamTranscript(path, (event) => void events.push(event), options);
  return { events, warnings, ...(verification ? { verification } : {}) };
}

/**
 * The same reading, one event at a time, for consumers that need not hold all of them
 * (a timeline of 100,000 events keeps only its rows).
 */
export async function streamTranscript(
  path: string,
  onEvent: (event: RunEvent | UnknownEvent) => void,
  options: ReadOptions = {},
): Promise<Omit<TranscriptContents, 'events'>> {
  let count = 0;
  const warnings: string[] = [];
  let checker = options.verify ? new ChainChecker(path) : undefined;
  let verification: VerifyResult | undefined;
  for await (const batch of transcriptLineBatches(path)) {
    for (const raw of batch) {
      let value: unknown;
      let parsed = true;
      try {
        value = JSON.parse(raw.bytes.toString('utf8'));
      } catch {
        parsed = false;
      }
      if (checker && !checker.feed(raw, parsed ? { value } : undefined)) {
        verification = checker.finish().result;
        checker = undefined;
      }
      if (raw.bytes.length === 0) continue;
      if (!parsed) {
        warnings.push(
          raw.terminated
            ? `line ${raw.number} of ${path} is not valid JSON; skipped`
            : `line ${raw.number} of ${path} is incomplete (the run probably ended while writing it: killed, or its disk full); read up to line ${raw.number - 1}`,
        );
        continue;
      }
      if (!isEventShaped(value)) {
        warnings.push(`line ${raw.number} of ${path} is not an event (no v, seq or type); skipped`);
        continue;
      }
      // A line that parses but breaks the contract would crash a renderer far from here: name it.
      const problem = contractProblem(value as Record<string, unknown>);
      if (problem) {
        throw new InputError(`${path}:${raw.number}: ${value.type}: ${problem}; not a transcript v1 event (written by hand or by another tool?)`);
      }
      count += 1;
      onEvent(value as RunEvent | UnknownEvent);
    }
  }
  if (count === 0 && warnings.length === 0) throw notATranscript(path, 'the file is empty');
  if (checker) verification = checker.finish().result;
  return { warnings, ...(verification ? { verification } : {}) };
}


/** Narrows an event read from a file to the union this version knows. */
export function isKnownEvent(event: RunEvent | UnknownEvent): event is RunEvent {
  return KNOWN_TYPES.has(event.type);
}
