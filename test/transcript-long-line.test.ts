/**
 * The transcript reader is linear in a line's length: a line sixteen times longer costs
 * about sixteen times the work (appending each 1 MiB chunk to the unfinished line made it
 * quadratic: a 576 MB line took over two minutes). The test counts the bytes the reader copies, never a wall clock.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { rawLineBatches } from '../src/engine/transcript/lines.js';
import { tempDir } from './runner-support.js';

async function readAll(path: string): Promise<{ ms: number; lines: number; bytes: number }> {
  const started = performance.now();
  let lines = 0;
  let bytes = 0;
  for await (const batch of rawLineBatches(path)) {
    for (const line of batch) {
      lines += 1;
      bytes += line.bytes.length;
    }
  }
  return { ms: performance.now() - started, lines, bytes };
}

describe('transcript lines', () => {
  it('one long line is read in linear time, byte for byte', async () => {
    const dir = tempDir('runbook-long-line-');
    const large = join(dir, 'large.jsonl');
    writeFileSync(large, `{"a":1}\n${'x'.repeat(48 << 20)}\n{"b":2}`);
    // The work counted, not timed: every byte the reader copies into a joined buffer. Joining
    // each 1 MiB chunk onto the unfinished line copies ~48²/2 MiB for a 48 MiB line; joining
    // its pieces once at the line's end copies the line once.
    let copied = 0;
    const concat = Buffer.concat.bind(Buffer);
    const spy = vi.spyOn(Buffer, 'concat').mockImplementation((list: readonly Uint8Array[], length?: number) => {
      const joined = concat(list, length);
      copied += joined.length;
      return joined;
    });
    try {
      const read = await readAll(large);
      expect(read).toMatchObject({ lines: 3, bytes: (48 << 20) + 14 });
    } finally {
      spy.mockRestore();
    }
    expect(copied).toBeLessThan(2 * ((48 << 20) + 16));
  }, 120_000);
});
