/**
 * Per-cell output cap. Up to `capBytes` of a cell's output travels in events; past it,
 * each stream's output is appended to a sidecar file of this attempt beside the
 * transcript (transcript/sidecar.ts): `cell.output.spilled` says where, and at the end of
 * the cell `cell.output.closed` records its byte count and sha256, so the chain covers it.
 * Nothing is lost, and a cell that prints gigabytes does not bloat the transcript or the screen.
 */
import type { EventBody, OutputStream } from '../events.js';
import type { Redact } from '../redact.js';
import type { SidecarFile } from '../transcript/sidecar.js';

export interface SidecarSource {
  openSidecar(cell: string, attempt: number, stream: OutputStream): SidecarFile;
}

/** A partial line longer than this goes out without waiting for its newline. */
const MAX_CARRY = 64 * 1024;

export class OutputCap {
  private used = 0;
  private readonly spilled = new Map<OutputStream, SidecarFile>();
  /** The unfinished last line of each stream, held back so a secret is never split across two events. */
  private readonly carry = new Map<OutputStream, string>();

  constructor(
    private readonly cell: string,
    private readonly attempt: number,
    private readonly capBytes: number,
    private readonly sidecars: SidecarSource | undefined,
    private readonly redact: () => Redact,
  ) {}

  /**
   * The events to emit for one piece of output, masked here, before anything is cut:
   * whole lines where there are line ends, and a partial line past MAX_CARRY without
   * waiting for its newline. Either way the cut never falls inside a secret: the tail that
   * could begin one (the longest masked form, less one) waits for the next chunk.
   */
  take(stream: OutputStream, data: string): EventBody[] {
    const text = (this.carry.get(stream) ?? '') + data;
    const cut = safeCut(text, this.redact());
    this.carry.set(stream, text.slice(cut));
    return cut > 0 ? this.pass(stream, this.redact()(text.slice(0, cut))) : [];
  }

  /** Whatever is still held back, at the end of the cell. */
  flush(): EventBody[] {
    const out: EventBody[] = [];
    for (const [stream, text] of this.carry) if (text) out.push(...this.pass(stream, this.redact().atEnd(text)));
    this.carry.clear();
    for (const [stream, file] of this.spilled) out.push({ type: 'cell.output.closed', cell: this.cell, stream, path: file.recorded, ...file.close() });
    this.spilled.clear();
    return out;
  }

  private pass(stream: OutputStream, data: string): EventBody[] {
    const bytes = Buffer.byteLength(data);
    if (!this.spilled.size && this.used + bytes <= this.capBytes) {
      this.used += bytes;
      return [{ type: 'cell.output', cell: this.cell, stream, data }];
    }
    const out: EventBody[] = [];
    // The part that still fits goes into the events so the screen shows output up to the cap.
    if (!this.spilled.size && this.used < this.capBytes) {
      // Cut at a line end when one fits, so no line (and no secret in it) is split between event and file.
      const fits = fitBytes(data, this.capBytes - this.used);
      const head = fits.includes('\n') ? fits.slice(0, fits.lastIndexOf('\n') + 1) : fits;
      this.used = this.capBytes;
      if (head) out.push({ type: 'cell.output', cell: this.cell, stream, data: head });
      data = data.slice(head.length);
    }
    if (!this.sidecars) return out;
    let file = this.spilled.get(stream);
    if (!file) {
      file = this.sidecars.openSidecar(this.cell, this.attempt, stream);
      this.spilled.set(stream, file);
      out.push({ type: 'cell.output.spilled', cell: this.cell, stream, path: file.recorded, attempt: this.attempt });
    }
    // Masked in take(), whole: the cut between the events and the file cannot split a secret.
    file.append(data);
    return out;
  }
}

/** Where `text` may be cut so that no secret straddles the cut (0: hold it all). */
function safeCut(text: string, redact: Redact): number {
  const newline = text.lastIndexOf('\n') + 1;
  let cut = newline > 0 ? newline : text.length > MAX_CARRY ? text.length : 0;
  // A cut at a line end is safe unless a secret spans lines; anywhere else, hold back what could start one.
  if (newline === 0 || redact.multiline > 0) cut = Math.min(cut, text.length - Math.max(0, (newline === 0 ? redact.longest : redact.multiline) - 1));
  if (cut <= 0) return 0;
  // A secret found whole around the cut goes out whole.
  for (const [start, end] of redact.spans(text)) if (start < cut && end > cut) cut = end;
  return cut;
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
