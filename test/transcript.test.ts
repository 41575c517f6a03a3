import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as transcript from '../src/engine/transcript.js';
import { defaultTranscriptPath, readTranscript, TranscriptWriter, verifyTranscript } from '../src/engine/transcript.js';
import { InputError } from '../src/engine/errors.js';
import type { RunEvent } from '../src/engine/events.js';
import { dragonflyRun, RunBuilder } from './transcript-fixtures.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'runbook-transcript-'));

function writeAll(path: string, events: RunEvent[], opts?: { append?: boolean }): TranscriptWriter {
  const writer = TranscriptWriter.open(path, opts);
  for (const event of events) writer.write(event);
  writer.close();
  return writer;
}

/** The DESIGN.md rule, written out independently of src/: any language could do this. */
function independentlyVerify(text: string): void {
  let previous = '';
  text.split('\n').slice(0, -1).forEach((line, index) => {
    const at = line.lastIndexOf(',"hash":"');
    const stored = line.slice(at + ',"hash":"'.length, -2);
    const body = `${line.slice(0, at)}}`;
    expect(Object.keys(JSON.parse(line)).at(-1)).toBe('hash');
    expect(JSON.parse(line).seq).toBe(index);
    expect(createHash('sha256').update(previous + body, 'utf8').digest('hex')).toBe(stored);
    previous = stored;
  });
}

describe('transcript module', () => {
  it('exports the writer, reader, verifier and path helpers', () => {
    expect(Object.keys(transcript).sort()).toEqual([
      'TRANSCRIPT_VERSION', 'TranscriptWriter', 'defaultTranscriptPath', 'isKnownEvent', 'lockPathFor',
      'readTranscript', 'serializeLine', 'sha256Hex', 'sidecarPathFor', 'streamTranscript', 'verifyTranscript',
    ]);
  });
});

describe('TranscriptWriter and readTranscript', () => {
  it('round-trips a run: the same events come back, each with its hash last', async () => {
    const path = join(tempDir(), 'nested', 'dir', 'run.jsonl');
    const { events } = dragonflyRun();
    writeAll(path, events);
    const read = await readTranscript(path);
    expect(read.warnings).toEqual([]);
    expect(read.events.map(({ hash: _hash, ...rest }) => rest)).toEqual(events);
    expect(read.events.every((e) => /^[0-9a-f]{64}$/.test(e.hash ?? ''))).toBe(true);
  });

  it('writes a chain that an independent sha256 check accepts, with v, seq, ts, type, run first', () => {
    const path = join(tempDir(), 'run.jsonl');
    writeAll(path, dragonflyRun().events);
    const text = readFileSync(path, 'utf8');
    independentlyVerify(text);
    expect(text.split('\n')[0]).toMatch(/^\{"v":1,"seq":0,"ts":"2026-01-02T03:04:05\.123Z","type":"run\.started","run":"run-0001",/);
  });

  it('puts hash last even when the event object carries one first, and writes unicode and newlines on one line', () => {
    const path = join(tempDir(), 'run.jsonl');
    const run = new RunBuilder().note('first line\nsecond → ☑ | "quoted"');
    const [note] = run.events;
    writeAll(path, [{ hash: 'bogus', ...note } as RunEvent]);
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n')).toHaveLength(2);
    independentlyVerify(text);
  });

  it('refuses an event whose seq does not follow the last one', () => {
    const writer = TranscriptWriter.open(join(tempDir(), 'run.jsonl'));
    const [first, second] = dragonflyRun().events;
    expect(() => writer.write(second!)).toThrow(/seq 1, expected 0/);
    writer.write(first!);
    expect(writer.lastSeq).toBe(0);
    expect(writer.runId).toBe('run-0001');
    writer.close();
  });

  it('keeps unknown event types from a newer version', async () => {
    const path = join(tempDir(), 'run.jsonl');
    const run = new RunBuilder().emit({ type: 'cell.flamegraph', cell: 'x', svg: '<svg/>' });
    writeAll(path, run.events);
    const { events } = await readTranscript(path);
    expect(events[0]).toMatchObject({ type: 'cell.flamegraph', svg: '<svg/>' });
  });

  it('refuses to overwrite an existing transcript without append', () => {
    const path = join(tempDir(), 'run.jsonl');
    writeAll(path, dragonflyRun().events);
    expect(() => TranscriptWriter.open(path)).toThrow(InputError);
    expect(() => TranscriptWriter.open(path)).toThrow(/already exists.*runbook resume/);
  });

  it('refuses a transcript it cannot create with one clear InputError', () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    expect(() => TranscriptWriter.open(join(file, 'run.jsonl'))).toThrow(InputError);
    expect(() => TranscriptWriter.open(join(file, 'run.jsonl'))).toThrow(/^cannot write transcript .*a-file\/run\.jsonl: .*choose another --transcript$/);
  });

  it('names sidecar files beside the transcript, one per cell attempt, never reusing an existing one', () => {
    const writer = TranscriptWriter.open(join(tempDir(), 'dragonfly-20260102T030405Z.jsonl'));
    const first = writer.openSidecar('stuck jobs/2', 3, 'stdout');
    expect(first.path).toBe(join(writer.path, '..', 'dragonfly-20260102T030405Z.stuck_jobs_2.3.stdout.log'));
    expect(first.recorded).toBe('dragonfly-20260102T030405Z.stuck_jobs_2.3.stdout.log');
    first.append('héllo\n');
    expect(first.close()).toEqual({ bytes: 7, sha256: createHash('sha256').update('héllo\n').digest('hex') });
    expect(writer.openSidecar('stuck jobs/2', 3, 'stdout').recorded).toBe('dragonfly-20260102T030405Z.stuck_jobs_2.3-2.stdout.log');
    writer.close();
  });
});

describe('a torn last line', () => {
  it('reads with a warning, verifies up to it, and append truncates it and continues the chain', async () => {
    const path = join(tempDir(), 'run.jsonl');
    const run = dragonflyRun();
    const all = run.events;
    const cut = all.length - 3;
    writeAll(path, all.slice(0, cut));
    appendFileSync(path, '{"v":1,"seq":' + cut + ',"ts":"2026-01-02T03:0');

    const read = await readTranscript(path);
    expect(read.events).toHaveLength(cut);
    expect(read.warnings).toEqual([expect.stringMatching(new RegExp(`line ${cut + 1} .*incomplete`))]);
    const before = await verifyTranscript(path);
    expect(before).toMatchObject({ ok: true, events: cut, lastSeq: cut - 1 });

    const writer = TranscriptWriter.open(path, { append: true });
    expect(writer.lastSeq).toBe(cut - 1);
    expect(writer.runId).toBe('run-0001');
    for (const event of all.slice(cut)) writer.write(event);
    writer.close();
    expect(await verifyTranscript(path)).toEqual({ ok: true, events: all.length, runs: ['run-0001'], lastSeq: all.length - 1, warnings: [] });
    independentlyVerify(readFileSync(path, 'utf8'));
  });

  it('append to a new or empty file starts a chain; append to a tampered one is refused', () => {
    const dir = tempDir();
    const fresh = TranscriptWriter.open(join(dir, 'new.jsonl'), { append: true });
    expect([fresh.lastSeq, fresh.lastHash, fresh.runId]).toEqual([-1, '', undefined]);
    fresh.close();

    const path = join(dir, 'run.jsonl');
    writeAll(path, dragonflyRun().events);
    writeFileSync(path, readFileSync(path, 'utf8').replace('scaling workers', 'scaling Workers'));
    expect(() => TranscriptWriter.open(path, { append: true })).toThrow(/fails verification at line \d+.*cannot be continued/);
  });
});

describe('not a transcript', () => {
  it('is one clear InputError for a Markdown file, an empty file and a missing file', async () => {
    const dir = tempDir();
    const markdown = join(dir, 'runbook.md');
    writeFileSync(markdown, '# Runbook\n\n```sql\nSELECT 1;\n```\n');
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    for (const [path, message] of [
      [markdown, /runbook\.md is not a runbook transcript \(line 1/],
      [empty, /is not a runbook transcript \(the file is empty\)/],
      [join(dir, 'missing.jsonl'), /transcript not found: .*missing\.jsonl/],
    ] as const) {
      await expect(readTranscript(path)).rejects.toThrow(message);
      await expect(verifyTranscript(path)).rejects.toBeInstanceOf(InputError);
    }
  });

  it('reads a JSON array or object file as not a transcript', async () => {
    const path = join(tempDir(), 'data.json');
    writeFileSync(path, '{"name":"x","version":"1.0.0"}\n');
    await expect(readTranscript(path)).rejects.toThrow(/not a runbook transcript/);
  });
});

describe('defaultTranscriptPath', () => {
  it('is ./transcripts/<runbook>-<run id>.jsonl, made unique when taken', () => {
    const cwd = tempDir();
    const first = defaultTranscriptPath('runbooks/dragonfly.md', '20261128T193000Z-3f9a1c', cwd);
    expect(first).toBe(join(cwd, 'transcripts', 'dragonfly-20261128T193000Z-3f9a1c.jsonl'));
    writeAll(first, dragonflyRun().events);
    expect(defaultTranscriptPath('runbooks/dragonfly.md', '20261128T193000Z-3f9a1c', cwd)).toBe(join(cwd, 'transcripts', 'dragonfly-20261128T193000Z-3f9a1c-2.jsonl'));
    expect(existsSync(`${first}.lock`)).toBe(false);
  });

  it('is relative to the working directory when none is given', () => {
    expect(defaultTranscriptPath('/x/y/incident.md', '20300101T000000Z-000000')).toBe(join('transcripts', 'incident-20300101T000000Z-000000.jsonl'));
  });
});

describe('readTranscript with verify', () => {
  it('says in the same pass what verifyTranscript says, for a good and a tampered transcript', async () => {
    const path = join(tempDir(), 'run.jsonl');
    writeAll(path, dragonflyRun().events);
    const good = await readTranscript(path, { verify: true });
    expect(good.verification).toEqual(await verifyTranscript(path));
    expect(good.verification).toMatchObject({ ok: true });
    writeFileSync(path, readFileSync(path, 'utf8').replace('"line":44', '"line":45'));
    const bad = await readTranscript(path, { verify: true });
    expect(bad.verification).toEqual(await verifyTranscript(path));
    expect(bad.verification).toMatchObject({ ok: false, reason: expect.stringMatching(/hash/) });
    expect(bad.events).toHaveLength(good.events.length);
    expect((await readTranscript(path)).verification).toBeUndefined();
  });
});
