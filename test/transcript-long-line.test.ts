/**
 * The transcript reader is linear in a line's length: a line sixteen times longer costs
 * about sixteen times the work (appending each 1 MiB chunk to the unfinished line made it
 * quadratic: a 576 MB line took over two minutes). A ratio in one process, never a wall clock.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rawLines } from '../src/engine/transcript/lines.js';
import { tempDir } from './runner-support.js';

async function readAll(path: string): Promise<{ ms: number; lines: number; bytes: number }> {
  const started = performance.now();
  let lines = 0;
  let bytes = 0;
  for await (const line of rawLines(path)) {
    lines += 1;
    bytes += line.bytes.length;
  }
  return { ms: performance.now() - started, lines, bytes };
}

describe('transcript lines', () => {
  it('one long line is read in linear time, byte for byte', async () => {
    const dir = tempDir('runbook-long-line-');
    const small = join(dir, 'small.jsonl');
    const large = join(dir, 'large.jsonl');
    writeFileSync(small, `{"a":1}\n${'x'.repeat(3 << 20)}\n{"b":2}`);
    writeFileSync(large, `{"a":1}\n${'x'.repeat(48 << 20)}\n{"b":2}`);
    await readAll(small);
    // Best of three, one read at a time: reads run side by side share the machine and skew the ratio.
    const best = async (path: string) => {
      let fastest = Infinity;
      for (let i = 0; i < 3; i += 1) fastest = Math.min(fastest, (await readAll(path)).ms);
      return fastest;
    };
    const read = await readAll(large);
    expect(read).toMatchObject({ lines: 3, bytes: (48 << 20) + 14 });
    // Linear is ~16; quadratic would be ~250. The bound sits well between the two: a busy
    // machine (other suites, CI neighbours) has measured 81 for the linear reader.
    expect((await best(large)) / (await best(small))).toBeLessThan(150);
  }, 120_000);
});
