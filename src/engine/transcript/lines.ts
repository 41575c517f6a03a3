/**
 * Reads a transcript file line by line as raw bytes, in chunks, so a 100,000-event file
 * is read quickly and in bounded memory, and hashes are checked on the exact bytes.
 * Async for readers; sync for the writer, which opens synchronously.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { splitHash } from './format.js';

export interface RawLine {
  /** 1-based line number. */
  number: number;
  /** The line's bytes without its newline. */
  bytes: Buffer;
  /** Byte offset just past this line (and its newline, when it has one). */
  end: number;
  /** False only for a last line with no newline after it (a write cut short, or a hand edit). */
  terminated: boolean;
}

const CHUNK = 1 << 20;

/**
 * Turns chunks into lines; keeps the unterminated rest for the next chunk as a list of
 * pieces, joined once when its newline comes: appending each 1 MiB chunk to the rest made
 * a long line quadratic (a 576 MB line took over two minutes). A chunk's lines come out as
 * one array: an async step per line was ~15% of a 100,000-event timeline.
 */
class LineSplitter {
  private pieces: Buffer[] = [];
  private offset = 0;
  private number = 0;

  push(chunk: Buffer): RawLine[] {
    const lines: RawLine[] = [];
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, newline);
      const bytes = this.pieces.length ? Buffer.concat([...this.pieces, piece]) : piece;
      this.pieces = [];
      this.number += 1;
      this.offset += bytes.length + 1;
      lines.push({ number: this.number, bytes, end: this.offset, terminated: true });
      start = newline + 1;
    }
    if (start < chunk.length) this.pieces.push(Buffer.from(chunk.subarray(start)));
    return lines;
  }

  end(): RawLine[] {
    if (!this.pieces.length) return [];
    const bytes = Buffer.concat(this.pieces);
    this.pieces = [];
    this.number += 1;
    return [{ number: this.number, bytes, end: this.offset + bytes.length, terminated: false }];
  }
}

/** The file's lines, a chunk's worth at a time (iterate each batch synchronously). */
export async function* rawLineBatches(path: string): AsyncGenerator<RawLine[]> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    const splitter = new LineSplitter();
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await handle.read(chunk, 0, CHUNK, null).catch((error: unknown) => {
        throw unreadable(path, error);
      });
      if (bytesRead === 0) break;
      const lines = splitter.push(chunk.subarray(0, bytesRead));
      if (lines.length) yield lines;
    }
    const last = splitter.end();
    if (last.length) yield last;
  } finally {
    await handle.close();
  }
}

export function* rawLinesSync(path: string): Generator<RawLine> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    const splitter = new LineSplitter();
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const bytesRead = readSync(fd, chunk, 0, CHUNK, null);
      if (bytesRead === 0) break;
      yield* splitter.push(chunk.subarray(0, bytesRead));
    }
    yield* splitter.end();
  } finally {
    closeSync(fd);
  }
}

function unreadable(path: string, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new InputError(`transcript not found: ${path} (pass the .jsonl file a run wrote)`);
  if (code === 'EISDIR') return new InputError(`${path} is a directory, not a transcript file`);
  return new InputError(`cannot read transcript ${path}: ${(error as Error).message}`);
}

/**
 * The lines of a file that must be a transcript, a chunk's worth at a time. A first line that does not look like
 * an event makes it "not a transcript" only if the second does not either: a one-byte
 * edit to line 1 (say, a newline put into it) is tampering, reported at line 1.
 */
export async function* transcriptLineBatches(path: string): AsyncGenerator<RawLine[]> {
  const gate = new FirstLineGate(path);
  let settled = false;
  for await (let batch of rawLineBatches(path)) {
    // Only the first two lines are ever held or judged; once line 1 is through, batches pass as read.
    if (!settled) {
      batch = batch.flatMap((raw) => [...gate.pass(raw)]);
      settled = !gate.holding;
    }
    if (batch.length) yield batch;
  }
  gate.end();
}

export function* transcriptLinesSync(path: string): Generator<RawLine> {
  const gate = new FirstLineGate(path);
  for (const raw of rawLinesSync(path)) yield* gate.pass(raw);
  gate.end();
}

class FirstLineGate {
  private held?: RawLine;
  constructor(private readonly path: string) {}

  get holding(): boolean {
    return this.held !== undefined;
  }

  *pass(raw: RawLine): Generator<RawLine> {
    if (raw.number === 1 && !looksLikeTranscript(raw.bytes)) {
      this.held = raw;
      return;
    }
    if (this.held) {
      if (!looksLikeTranscript(raw.bytes)) throw notATranscript(this.path, 'line 1 is not a JSON event with v, seq and type');
      yield this.held;
      this.held = undefined;
    }
    yield raw;
  }

  end(): void {
    if (this.held) throw notATranscript(this.path, 'line 1 is not a JSON event with v, seq and type');
  }
}

/** Does this first line look like a transcript event, so damage to it is tampering, not a wrong file? */
export function looksLikeTranscript(first: Buffer): boolean {
  // Either end of a written line is enough: a one-byte edit cannot break both.
  if (first.subarray(0, 6).toString('latin1') === '{"v":1') return true;
  if (splitHash(first)) return true;
  try {
    return isEventShaped(JSON.parse(first.toString('utf8')));
  } catch {
    return false;
  }
}

export function isEventShaped(value: unknown): value is { v: unknown; seq: unknown; type: string } {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) &&
    'v' in value && 'seq' in value && typeof (value as { type?: unknown }).type === 'string'
  );
}

export function notATranscript(path: string, why: string): InputError {
  return new InputError(`${path} is not a runbook transcript (${why}); pass the .jsonl file a run wrote`);
}
