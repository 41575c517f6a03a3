/**
 * Stamps event bodies (v, seq, ts, run), masks every secret in them, and hands them
 * out: the transcript first, so nothing reaches a screen that is not on disk, then
 * every other sink. A failing screen sink never stops the run; a failing transcript does
 * (the command that owns the writer hears of it and aborts the run).
 */
import { createRedactor, redactDeep, urlPasswords, type Redact } from '../redact.js';
import { TranscriptWriteError } from '../transcript/write-failure.js';
import type { EventBody, EventSink, RunEvent } from '../events.js';
import type { SyncAs } from '../transcript/writer.js';

export interface EventWriter {
  /** Writes the event; a hash-chaining writer returns the line's hash. `effect`: see emit. */
  write(event: RunEvent, effect?: SyncAs): unknown;
}

export class Emitter {
  private seq: number;
  private redactor: Redact;
  private readonly secrets = new Set<string>();
  private readonly sinks = new Set<EventSink>();

  constructor(
    readonly runId: string,
    firstSeq: number,
    private readonly transcript: EventWriter | undefined,
  ) {
    this.seq = firstSeq;
    this.redactor = createRedactor([]);
  }

  /** Adds secret values to mask from now on. */
  addSecrets(values: Iterable<string>): void {
    for (const value of values) if (value) this.secrets.add(value);
    this.redactor = createRedactor(this.secrets);
  }

  /** Masks a connection URL's password wherever it appears, even outside the URL. */
  addUrl(url: string | undefined): void {
    if (url) this.addSecrets(urlPasswords(url));
  }

  get redact(): Redact {
    return this.redactor;
  }

  subscribe(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  get nextSeq(): number {
    return this.seq;
  }

  /**
   * `effect`: the planned effect of the cell the event belongs to, from the plan, so the
   * transcript syncs a write's boundaries and lets a read's share a later sync (writer.ts mustSync).
   */
  emit(body: EventBody, effect?: SyncAs): RunEvent {
    // The transcript's field order (v, seq, ts, type, run, …), so NDJSON lines read the same.
    const { type, ...rest } = body;
    const stamped = { v: 1, seq: this.seq, ts: new Date().toISOString(), type, run: this.runId, ...rest } as RunEvent;
    const redacted = redactDeep(stamped, this.redactor);
    let hash: unknown;
    try {
      hash = this.transcript?.write(redacted, effect);
    } catch (error) {
      if (!(error instanceof TranscriptWriteError)) throw error;
      // Not on disk, so on no screen either; only the run's end goes out, so every screen can close.
      if (body.type !== 'run.finished') return redacted;
      for (const sink of this.sinks) deliver(sink, redacted);
      return redacted;
    }
    // Screens and NDJSON get the very object the transcript holds, hash included.
    const event = typeof hash === 'string' ? { ...redacted, hash } : redacted;
    this.seq += 1;
    for (const sink of this.sinks) deliver(sink, event);
    return event;
  }
}

function deliver(sink: EventSink, event: RunEvent): void {
  try {
    sink(event);
  } catch {
    // A renderer that breaks must not break the run: the transcript already has the event.
  }
}
