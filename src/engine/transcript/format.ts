/**
 * The line format of transcript v1: one JSON object per line, `hash` as its last field,
 * where hash = sha256hex(previous hash + the line's text without `,"hash":"…"`).
 * Kept in one place so the writer and the verifier cannot drift apart.
 */
import { createHash } from 'node:crypto';
import type { RunEvent } from '../events.js';

export const TRANSCRIPT_VERSION = 1;

/** The fields every line starts with, in this order, so a person can read the file. */
const LEADING_FIELDS = ['v', 'seq', 'ts', 'type', 'run'] as const;

/** `,"hash":"<64 hex>"}` at the very end of a line (the closing brace of the object). */
export const HASH_SUFFIX = /,"hash":"([0-9a-f]{64})"\}$/;
const HASH_SUFFIX_LENGTH = ',"hash":"'.length + 64 + '"}'.length;

export function sha256Hex(previousHash: string, body: string | Buffer): string {
  return createHash('sha256').update(previousHash).update(body).digest('hex');
}

/** The event as its JSON text without the hash: leading fields first, then the rest as given. */
export function serializeBody(event: RunEvent): string {
  const ordered: Record<string, unknown> = {};
  const source = event as unknown as Record<string, unknown>;
  for (const key of LEADING_FIELDS) ordered[key] = source[key];
  for (const [key, value] of Object.entries(source)) {
    if (key !== 'hash' && !(LEADING_FIELDS as readonly string[]).includes(key)) ordered[key] = value;
  }
  try {
    return JSON.stringify(ordered);
  } catch (error) {
    // A bigint from a driver is the one value JSON cannot carry; written as its decimal text.
    if (!(error instanceof TypeError)) throw error;
    return JSON.stringify(ordered, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  }
}

/** The complete line (with its trailing newline) and its hash. */
export function serializeLine(event: RunEvent, previousHash: string): { line: string; hash: string } {
  const body = serializeBody(event);
  const hash = sha256Hex(previousHash, body);
  return { line: `${body.slice(0, -1)},"hash":"${hash}"}\n`, hash };
}

/**
 * Splits a line's bytes into the stored hash and the `head` before `,"hash":…` — the
 * body the hash covers is that head and the closing `}`. Undefined when the line does
 * not end with a well-formed hash field.
 */
export function splitHash(line: Buffer): { head: Buffer; hash: string } | undefined {
  if (line.length < HASH_SUFFIX_LENGTH + 2) return undefined;
  const suffix = line.subarray(line.length - HASH_SUFFIX_LENGTH).toString('latin1');
  const match = HASH_SUFFIX.exec(suffix);
  if (!match?.[1]) return undefined;
  return { head: line.subarray(0, line.length - HASH_SUFFIX_LENGTH), hash: match[1] };
}

/** sha256hex(previous hash + head + `}`): the hash a line with this head must carry. */
export function chainHash(previousHash: string, head: Buffer): string {
  return createHash('sha256').update(previousHash).update(head).update('}').digest('hex');
}
