/**
 * The line format of transcript v1: one JSON object per line, `hash` as its last field,
 * where hash = sha256hex(previous hash + the line's text without `,"hash":"…"`).
 * Kept in one place so the writer and the verifier cannot drift apart.
 */
import { createHash, hash } from 'node:crypto';
import type { RunEvent } from '../events.js';

export const TRANSCRIPT_VERSION = 1;

/** The fields every line starts with, in this order, so a person can read the file. */
const LEADING_FIELDS = ['v', 'seq', 'ts', 'type', 'run'] as const;

/** A line ends with `,"hash":"<64 hex>"}` (the closing brace of the object): this many bytes. */
const HASH_SUFFIX_LENGTH = ',"hash":"'.length + 64 + '"}'.length;

/** One-shot `crypto.hash` (Node 20.12+): half the CPU of a createHash/update/digest per line. */
export function sha256Hex(previousHash: string, body: string): string {
  return hash('sha256', previousHash + body);
}

/** The event as its JSON text without the hash: leading fields first, then the rest as given. */
export function serializeBody(event: RunEvent): string {
  const source = event as unknown as Record<string, unknown>;
  // The emitter stamps every event in this order already: then it is its own JSON, no copy.
  const ordered = inLineOrder(source) ? source : reordered(source);
  try {
    return JSON.stringify(ordered);
  } catch (error) {
    // A bigint from a driver is the one value JSON cannot carry; written as its decimal text.
    if (!(error instanceof TypeError)) throw error;
    return JSON.stringify(ordered, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  }
}

/** Whether the object's keys begin with LEADING_FIELDS in order and hold no `hash`: JSON.stringify of it is the body as it is. */
function inLineOrder(source: Record<string, unknown>): boolean {
  let index = 0;
  for (const key in source) {
    if (index < LEADING_FIELDS.length ? key !== LEADING_FIELDS[index] : key === 'hash' || (LEADING_FIELDS as readonly string[]).includes(key)) return false;
    index += 1;
  }
  return index >= LEADING_FIELDS.length;
}

/** A copy with the leading fields first, then the rest as given, without `hash`. */
function reordered(source: Record<string, unknown>): Record<string, unknown> {
  const ordered: Record<string, unknown> = {};
  for (const key of LEADING_FIELDS) ordered[key] = source[key];
  for (const key of Object.keys(source)) {
    if (key !== 'hash' && !(LEADING_FIELDS as readonly string[]).includes(key)) ordered[key] = source[key];
  }
  return ordered;
}

/** The complete line (with its trailing newline) and its hash. */
export function serializeLine(event: RunEvent, previousHash: string): { line: string; hash: string } {
  const body = serializeBody(event);
  const hash = sha256Hex(previousHash, body);
  return { line: `${body.slice(0, -1)},"hash":"${hash}"}\n`, hash };
}

const HASH_FIELD = Buffer.from(',"hash":"', 'latin1');
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Splits a line's bytes into the stored hash and the `head` before `,"hash":…` — the
 * body the hash covers is that head and the closing `}`. Undefined when the line does
 * not end with a well-formed `,"hash":"<64 lowercase hex>"}`, checked byte by byte.
 */
export function splitHash(line: Buffer): { head: Buffer; hash: string } | undefined {
  if (line.length < HASH_SUFFIX_LENGTH + 2) return undefined;
  const at = line.length - HASH_SUFFIX_LENGTH;
  if (line[line.length - 1] !== 0x7d || line[line.length - 2] !== 0x22 || HASH_FIELD.compare(line, at, at + HASH_FIELD.length) !== 0) return undefined;
  const stored = line.toString('latin1', at + HASH_FIELD.length, line.length - 2);
  return HEX64.test(stored) ? { head: line.subarray(0, at), hash: stored } : undefined;
}

/** Lines up to this size are hashed from one reused buffer; a longer one streams through createHash. */
const SCRATCH_LIMIT = 1 << 20;
let scratch = Buffer.alloc(64 * 1024);

/** sha256hex(previous hash + head + `}`): the hash a line with this head must carry. */
export function chainHash(previousHash: string, head: Buffer): string {
  const length = Buffer.byteLength(previousHash, 'latin1') + head.length + 1;
  if (length > SCRATCH_LIMIT) return createHash('sha256').update(previousHash).update(head).update('}').digest('hex');
  if (scratch.length < length) scratch = Buffer.alloc(SCRATCH_LIMIT);
  // The previous hash is hex (or empty for line 1): latin1 and utf8 agree on it.
  const written = scratch.write(previousHash, 0, 'latin1');
  head.copy(scratch, written);
  scratch[written + head.length] = 0x7d;
  return hash('sha256', scratch.subarray(0, length));
}
