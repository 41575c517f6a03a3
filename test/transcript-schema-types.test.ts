/**
 * The transcript schema (what readers check, what schema/transcript.v1.json publishes) and
 * events.ts (what the writer builds) describe the same events, checked by the compiler
 * (`npm run typecheck`): the same types, the same fields, the same field types, both ways.
 * The one allowed difference is optionality: the schema may leave a field optional that
 * this writer always writes (older v1 transcripts lack it), never the other way round.
 *
 * A failure here names the event type whose two descriptions differ: add the field to both.
 */
import type * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/engine/events.js';
import { KNOWN_TYPES } from '../src/engine/transcript/contract.js';
import { EVENT_SCHEMAS, type EventBaseSchema, type EventType } from '../src/engine/transcript/schema.js';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Every field required and defined, all the way down: the shape without optionality. */
type Shape<T> = T extends readonly (infer U)[]
  ? Shape<U>[]
  : T extends object
    ? { [K in keyof T]-?: Shape<Exclude<T[K], undefined>> }
    : T;

type Writer<T extends EventType> = Extract<RunEvent, { type: T }>;
type Reader<T extends EventType> = v.InferOutput<typeof EventBaseSchema> & v.InferOutput<(typeof EVENT_SCHEMAS)[T]>;
type ReaderInput<T extends EventType> = v.InferInput<typeof EventBaseSchema> & v.InferInput<(typeof EVENT_SCHEMAS)[T]>;

/** Per event type: true when the two agree; otherwise the type stays visible in the error. */
type Agrees<T extends EventType> =
  Equals<Shape<Omit<Writer<T>, 'type'>>, Shape<Omit<Reader<T>, 'type'>>> extends true
    ? Writer<T> extends ReaderInput<T>
      ? true
      : ['the schema requires a field events.ts leaves optional in', T]
    : ['events.ts and schema.ts describe different fields in', T];

type AllAgree = { [T in EventType]: Agrees<T> };
type SameTypes = Equals<RunEvent['type'], EventType>;

const agree: { [T in EventType]: true } = {} as AllAgree;
const sameTypes: SameTypes = true;

describe('the transcript schema and events.ts', () => {
  it('name the same event types (the compiler checks fields and types both ways)', () => {
    expect([agree, sameTypes]).toBeDefined();
    expect(KNOWN_TYPES).toEqual(new Set(Object.keys(EVENT_SCHEMAS)));
  });
});
