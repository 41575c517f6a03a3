/**
 * Reads a transcript's complete lines from a byte offset onwards, in batches. The log's
 * delivery queue is the transcript itself: what is not yet delivered is the file past the
 * offset, so the queue is bounded in memory (one batch) and can never lose an event the
 * transcript has. A line still being written (no newline yet) is left for the next read.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { RowReader, type LogRow } from './rows.js';
import { LINE_BOUND } from './schema.js';

export interface Batch {
  rows: LogRow[];
  /** Byte offset just past the batch's last line: where the next batch starts once this one is delivered. */
  end: number;
  /** Complete lines that are not events (not JSON, no run/seq): skipped, counted. */
  skipped: number;
}

export interface BatchLimits {
  rows: number;
  bytes: number;
}

const CHUNK = 256 * 1024;

export class TranscriptTail {
  private handle: FileHandle | undefined;
  private readonly rows = new RowReader();
  /** Where the next unread line starts. */
  private position = 0;

  constructor(readonly path: string) {}

  /** The next batch from where the last one ended (rows may be empty: nothing new). */
  async next(limits: BatchLimits): Promise<Batch> {
    this.handle ??= await open(this.path, 'r');
    const rows: LogRow[] = [];
    let skipped = 0;
    let bytes = 0;
    let chunkSize = CHUNK;
    while (rows.length < limits.rows && bytes < limits.bytes) {
      const buffer = Buffer.allocUnsafe(chunkSize);
      const { bytesRead } = await this.handle.read(buffer, 0, chunkSize, this.position);
      if (bytesRead === 0) break;
      const data = buffer.subarray(0, bytesRead);
      let start = 0;
      for (let newline = data.indexOf(10); newline !== -1 && rows.length < limits.rows && bytes < limits.bytes; newline = data.indexOf(10, start)) {
        const row = this.rows.row(data.subarray(start, newline));
        if (row) rows.push(row);
        else if (newline > start) skipped += 1;
        bytes += newline - start + 1;
        start = newline + 1;
      }
      if (start === 0) {
        // No newline in a whole chunk: one long line. Read more of it at once, unless the file simply ends here.
        if (bytesRead < chunkSize) break;
        if (chunkSize <= LINE_BOUND) {
          chunkSize *= 4;
          continue;
        }
        // Longer than the log takes: find its end without holding it, keep only its head for run and seq.
        const end = await this.newlineFrom(this.position + bytesRead);
        if (end === undefined) break;
        const row = this.rows.tooLong(data, end - this.position);
        if (row) rows.push(row);
        else skipped += 1;
        this.position = end + 1;
        chunkSize = CHUNK;
        continue;
      }
      this.position += start;
      if (bytesRead < chunkSize) break;
    }
    return { rows, end: this.position, skipped };
  }

  /** The offset of the next newline at or after `from`, or undefined when the file ends first (the line is still being written). */
  private async newlineFrom(from: number): Promise<number | undefined> {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (let offset = from; ; ) {
      const { bytesRead } = await (this.handle as FileHandle).read(buffer, 0, CHUNK, offset);
      if (bytesRead === 0) return undefined;
      const newline = buffer.subarray(0, bytesRead).indexOf(10);
      if (newline !== -1) return offset + newline;
      offset += bytesRead;
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}
