/**
 * The chain's hashes are computed the fast way (one-shot `crypto.hash`, a reused buffer for
 * lines up to 1 MiB, streaming past it); they must equal the definition in format.ts,
 * sha256hex(previous hash + body), at every size, around the buffer's limit included, and a
 * stored hash is read only from a well-formed suffix.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chainHash, sha256Hex, splitHash } from '../src/engine/transcript/format.js';

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

  it('splitHash reads the stored hash only from a well-formed `,"hash":"<64 hex>"}` ending', () => {
    const line = Buffer.from(`{"v":1,"seq":0,"type":"x","hash":"${HEX}"}`);
    expect(splitHash(line)).toEqual({ head: line.subarray(0, line.length - 75), hash: HEX });
    for (const bad of [`{"v":1,"hash":"${HEX.toUpperCase()}"}`, `{"v":1,"hash":"${HEX}" }`, `{"v":1,"hash":'${HEX}"}`, `{"v":1, "hash":"${HEX}"}`, `{"v":1,"hash":"${HEX.slice(1)}"}`, `{"hash":"${HEX}"}`]) {
      expect(splitHash(Buffer.from(bad)), bad).toBeUndefined();
    }
  });
});
