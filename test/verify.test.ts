import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TranscriptWriter, verifyTranscript } from '../src/engine/transcript.js';
import { dragonflyRun } from './transcript-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'runbook-verify-'));
let counter = 0;

function freshTranscript(): { path: string; bytes: Buffer; lines: string[] } {
  const path = join(dir, `run-${counter++}.jsonl`);
  const writer = TranscriptWriter.open(path);
  for (const event of dragonflyRun().events) writer.write(event);
  writer.close();
  const bytes = readFileSync(path);
  return { path, bytes, lines: bytes.toString('utf8').split('\n').slice(0, -1) };
}

function rewrite(path: string, lines: string[]): void {
  writeFileSync(path, lines.map((l) => `${l}\n`).join(''));
}

describe('verifyTranscript', () => {
  it('accepts an untouched transcript and summarises it', async () => {
    const { path, lines } = freshTranscript();
    expect(await verifyTranscript(path)).toEqual({ ok: true, events: lines.length, runs: ['run-0001'], lastSeq: lines.length - 1, warnings: [] });
  });

  it('names the line of a one-byte edit', async () => {
    const { path, lines } = freshTranscript();
    const target = 6;
    lines[target - 1] = lines[target - 1]!.replace('"cell":"', '"cell":"X');
    rewrite(path, lines);
    expect(await verifyTranscript(path)).toMatchObject({ ok: false, line: target, reason: expect.stringMatching(/hash does not match/) });
  });

  it('names the line after a deleted line', async () => {
    const { path, lines } = freshTranscript();
    lines.splice(4, 1);
    rewrite(path, lines);
    expect(await verifyTranscript(path)).toMatchObject({ ok: false, line: 5, reason: 'seq is 5, expected 4 (a line was deleted, inserted or moved)' });
  });

  it('names the first of two swapped lines', async () => {
    const { path, lines } = freshTranscript();
    [lines[7], lines[8]] = [lines[8]!, lines[7]!];
    rewrite(path, lines);
    expect(await verifyTranscript(path)).toMatchObject({ ok: false, line: 8 });
  });

  it('catches a line edited and given a recomputed seq but not a recomputed chain', async () => {
    const { path, lines } = freshTranscript();
    lines[2] = lines[2]!.replace(/"ts":"[^"]+"/, '"ts":"2020-01-01T00:00:00.000Z"');
    rewrite(path, lines);
    expect(await verifyTranscript(path)).toMatchObject({ ok: false, line: 3 });
  });

  it('fails at the changed line for a change of any single byte but the final newline', async () => {
    const { path, bytes } = freshTranscript();
    const lineOf = (offset: number) => bytes.subarray(0, offset).toString('latin1').split('\n').length;
    await fc.assert(
      // Any new byte value, with a newline (which splits a line in two) drawn often.
      fc.asyncProperty(fc.integer({ min: 0, max: bytes.length - 2 }), fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constant(10)), async (offset, value) => {
        fc.pre(bytes[offset] !== value);
        const edited = Buffer.from(bytes);
        edited[offset] = value;
        writeFileSync(path, edited);
        const result = await verifyTranscript(path).catch((error: Error) => ({ ok: 'threw', message: error.message }));
        expect(result).toMatchObject({ ok: false, line: lineOf(offset) });
      }),
      { numRuns: 300 },
    );
  });

  it('reports a newline put into the first bytes of line 1 as tampering at line 1, not as another kind of file', async () => {
    for (const offset of [0, 1, 3, 5]) {
      const { path, bytes } = freshTranscript();
      const edited = Buffer.from(bytes);
      edited[offset] = 10;
      writeFileSync(path, edited);
      expect(await verifyTranscript(path)).toMatchObject({ ok: false, line: 1 });
    }
  });

  it('reports a line that is not JSON, a missing hash, and a blank line', async () => {
    const { path, lines } = freshTranscript();
    rewrite(path, [...lines.slice(0, 3), 'garbage', ...lines.slice(3)]);
    expect(await verifyTranscript(path)).toEqual({ ok: false, line: 4, reason: 'not valid JSON' });
    rewrite(path, [...lines.slice(0, 2), lines[2]!.replace(/,"hash":"[0-9a-f]+"\}$/, '}'), ...lines.slice(3)]);
    expect(await verifyTranscript(path)).toEqual({ ok: false, line: 3, reason: 'no hash as the last field' });
    rewrite(path, [...lines.slice(0, 5), '', ...lines.slice(5)]);
    expect(await verifyTranscript(path)).toEqual({ ok: false, line: 6, reason: 'empty line' });
  });
});
