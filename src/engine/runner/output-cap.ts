/**
 * Per-cell output cap. Up to `capBytes` of a cell's output travels in events; past it,
 * each stream's output is appended to a sidecar file beside the transcript and one
 * `cell.output.spilled` event per stream says where. Nothing is lost, and a cell that
 * prints gigabytes does not bloat the transcript or the screen.
 */
import { appendFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import type { EventBody, OutputStream } from '../events.js';
import type { Redact } from '../redact.js';

export interface SidecarSource {
  /** The transcript's path, to make the sidecar path relative to its directory. */
  readonly path: string;
  sidecarPath(cell: string, stream: OutputStream): string;
}

export class OutputCap {
  private used = 0;
  private readonly spilled = new Map<OutputStream, string>();

  constructor(
    private readonly cell: string,
    private readonly capBytes: number,
    private readonly sidecars: SidecarSource | undefined,
    private readonly redact: () => Redact,
  ) {}

  /** The events to emit for one piece of output (the piece itself, a spill notice, or nothing). */
  take(stream: OutputStream, data: string): EventBody[] {
    const bytes = Buffer.byteLength(data);
    if (!this.spilled.size && this.used + bytes <= this.capBytes) {
      this.used += bytes;
      return [{ type: 'cell.output', cell: this.cell, stream, data }];
    }
    const out: EventBody[] = [];
    // The part that still fits goes into the events so the screen shows output up to the cap.
    if (!this.spilled.size && this.used < this.capBytes) {
      const head = fitBytes(data, this.capBytes - this.used);
      this.used = this.capBytes;
      if (head) out.push({ type: 'cell.output', cell: this.cell, stream, data: head });
      data = data.slice(head.length);
    }
    if (!this.sidecars) return out;
    let path = this.spilled.get(stream);
    if (!path) {
      path = this.sidecars.sidecarPath(this.cell, stream);
      this.spilled.set(stream, path);
      const shown = relative(dirname(this.sidecars.path), path) || path;
      out.push({ type: 'cell.output.spilled', cell: this.cell, stream, path: shown });
    }
    if (data) appendFileSync(path, this.redact()(data));
    return out;
  }
}

/** The longest prefix of `text` (whole characters) that fits in `bytes` UTF-8 bytes. */
function fitBytes(text: string, bytes: number): string {
  const buffer = Buffer.from(text);
  if (buffer.length <= bytes) return text;
  let cut = bytes;
  // Never cut inside a multi-byte character: back up to the start of one.
  while (cut > 0 && ((buffer[cut] ?? 0) & 0xc0) === 0x80) cut -= 1;
  return buffer.subarray(0, cut).toString('utf8');
}
