/**
 * The chain's hashes are computed the fast way (one-shot `crypto.hash`, a reused buffer for
 * lines up to 1 MiB, streaming past it); they must equal the definition in format.ts,
 * sha256hex(previous hash + body), at every size, around the buffer's limit included, and a
 * stored hash is read only from a well-formed suffix.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainHash, serializeBody, sha256Hex, splitHash } from '../src/engine/transcript/format.js';
import type { RunEvent } from '../src/engine/events.js';

const reference = (previous: string, body: string | Buffer) => createHash('sha256').update(previous).update(body).digest('hex');
const HEX = 'a3'.repeat(32);

describe('transcript hashes', () => {
  it('sha256Hex and chainHash equal sha256 of previous hash + body, for any text', () => {
    fc.assert(
      fc.property(fc.constantFrom('', HEX), fc.string({ unit: 'binary' }), (previous, text) => {
        expect(sha256Hex(previous, text)).toBe(reference(previous, text));
        const head = Buffer.from(text, 'utf8');
        expect(chainHash(previous, head)).toBe(reference(previous, Buffer.concat([head, Buffer.from('}')])));
      }),
      { numRuns: 300 },
    );
  });

  it('chainHash holds around the reused buffer’s limit and past it, and after a long line, a short one', () => {
    for (const size of [0, 1, 65_536, (1 << 20) - 66, (1 << 20) - 65, (1 << 20) - 64, 1 << 20, (1 << 20) + 1, 3_000_000, 10]) {
      const head = Buffer.alloc(size, 0x78);
      expect(chainHash(HEX, head), `${size} bytes`).toBe(reference(HEX, Buffer.concat([head, Buffer.from('}')])));
    }
  });

  it('serializeBody writes v, seq, ts, type, run first, then the rest as given, never a hash: whatever order the event comes in', () => {
    const LEADING = ['v', 'seq', 'ts', 'type', 'run'];
    /** The definition: a copy in line order, then JSON. */
    const definition = (event: Record<string, unknown>) => {
      const ordered: Record<string, unknown> = {};
      for (const key of LEADING) ordered[key] = event[key];
      for (const [key, value] of Object.entries(event)) if (key !== 'hash' && !LEADING.includes(key)) ordered[key] = value;
      return JSON.stringify(ordered);
    };
    const key = fc.constantFrom('v', 'seq', 'ts', 'type', 'run', 'hash', 'cell', 'rows', '0', '7', 'source', 'x');
    const value = fc.oneof(fc.string(), fc.integer(), fc.constant(undefined), fc.array(fc.string(), { maxLength: 3 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { maxLength: 10 }), fc.boolean(), (pairs, stampedFirst) => {
        const event: Record<string, unknown> = stampedFirst ? { v: 1, seq: 3, ts: 't', type: 'cell.output', run: 'r' } : {};
        for (const [name, item] of pairs) event[name] = item;
        expect(serializeBody(event as unknown as RunEvent)).toBe(definition(event));
      }),
      { numRuns: 500 },
    );
  });

  it('splitHash reads the stored hash only from a well-formed `,"hash":"<64 hex>"}` ending', () => {
    const line = Buffer.from(`{"v":1,"seq":0,"type":"x","hash":"${HEX}"}`);
    expect(splitHash(line)).toEqual({ head: line.subarray(0, line.length - 75), hash: HEX });
    for (const bad of [`{"v":1,"hash":"${HEX.toUpperCase()}"}`, `{"v":1,"hash":"${HEX}" }`, `{"v":1,"hash":'${HEX}"}`, `{"v":1, "hash":"${HEX}"}`, `{"v":1,"hash":"${HEX.slice(1)}"}`, `{"hash":"${HEX}"}`]) {
      expect(splitHash(Buffer.from(bad)), bad).toBeUndefined();
    }
  });
});
