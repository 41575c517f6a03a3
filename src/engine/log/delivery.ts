/**
 * Delivery of a run's transcript to the shared log, beside the run. The run never waits
 * for it: the emitter writes the transcript and then only says "seq N is on disk"; this
 * loop reads the lines past what it has delivered (tail.ts: the queue is the file, so it
 * is bounded in memory and loses nothing), inserts them in batches, and when the log is
 * slow or down keeps the rest in the file, retries with backoff and reconnects by itself.
 * At the end it waits a little for the tail and reports what is still undelivered.
 */
import type pg from 'pg';
import { closeLog, connectLog, describeLogError } from './connection.js';
import type { LogTarget } from './config.js';
import { ensureSchema, LINE_BOUND } from './schema.js';
import { insertRows } from './store.js';
import { TranscriptTail, type Batch, type BatchLimits } from './tail.js';

export type LogState = 'ok' | 'behind' | 'unreachable';

export interface LogStatus {
  state: LogState;
  /** Events on disk that the log has not confirmed. */
  behind: number;
  /** Why the log is unreachable (the server's or the network's message, no password). */
  reason?: string;
}

export interface DeliveryReport {
  incident: string;
  delivered: number;
  /** Events left in the transcript only; `runbook log push` delivers them. */
  undelivered: number;
  /** Seq range of the undelivered events, when there are any. */
  range?: { from: number; to: number };
  /** Lines the log already had with other content (a reused run id?): left as they were. */
  differing: number;
  /** Events longer than the log's bounds: never sent, the transcript keeps them (the log's copy of the run has a gap there). */
  tooBig: { seq: number; bytes: number }[];
  reason?: string;
}

export interface DeliveryOptions {
  target: LogTarget;
  transcriptPath: string;
  onStatus?: (status: LogStatus) => void;
  limits?: BatchLimits;
  /** Events waiting longer than this make the log "behind". Default 2000 ms. */
  behindAfterMs?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
}

const DEFAULT_LIMITS: BatchLimits = { rows: 500, bytes: 1 << 20 };

export class LogDelivery {
  private client: pg.Client | undefined;
  private readonly tail: TranscriptTail;
  private pending: Batch | undefined;
  private lastWritten = -1;
  private lastDelivered = -1;
  private delivered = 0;
  private differing = 0;
  private readonly tooBig: DeliveryReport['tooBig'] = [];
  private failure: string | undefined;
  private retryMs: number;
  private finishing = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  /** Set by `written`; cleared before each read, so an event written during a read is not slept through. */
  private dirty = false;
  /** Since when events have waited with nothing delivered: the backlog's start, or the last batch the log took. */
  private backlogSince: number | undefined;
  /** A "delivering again" line is out; "caught up" follows when the backlog is gone. */
  private recovering = false;
  private readonly ticker: ReturnType<typeof setInterval>;
  private reported: LogStatus = { state: 'ok', behind: 0 };
  private readonly loop: Promise<void>;

  constructor(private readonly options: DeliveryOptions) {
    this.tail = new TranscriptTail(options.transcriptPath);
    this.retryMs = options.retryMinMs ?? 250;
    this.ticker = setInterval(() => this.report(), 1000);
    this.ticker.unref();
    this.loop = this.run();
  }

  /** The event with this seq is in the transcript: deliver it (soon, never now). */
  written(seq: number): void {
    if (seq > this.lastWritten) this.lastWritten = seq;
    this.backlogSince ??= Date.now();
    this.dirty = true;
    this.wake?.();
  }

  get status(): LogStatus {
    return this.reported;
  }

  /**
   * Delivers what it can within `waitMs`, then stops and reports. A log that is down at
   * the end gets one more try, not the whole wait.
   */
  async finish(waitMs = 5000): Promise<DeliveryReport> {
    this.finishing = true;
    clearInterval(this.ticker);
    this.wake?.();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.loop, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    this.stopped = true;
    this.wake?.();
    const client = this.client;
    this.client = undefined;
    await closeLog(client);
    await this.tail.close().catch(() => undefined);
    const undelivered = Math.max(0, this.lastWritten - this.lastDelivered);
    return {
      incident: this.options.target.incident,
      delivered: this.delivered,
      undelivered,
      ...(undelivered ? { range: { from: this.lastDelivered + 1, to: this.lastWritten } } : {}),
      differing: this.differing,
      tooBig: this.tooBig,
      ...(this.failure && undelivered ? { reason: this.failure } : {}),
    };
  }

  private async run(): Promise<void> {
    let triedAtFinish = false;
    while (!this.stopped) {
      try {
        const client = await this.connected();
        // Only a read that began after the run ended can tell that nothing is left.
        const finalRead = this.finishing;
        if (!this.pending) this.dirty = false;
        this.pending ??= await this.tail.next(this.options.limits ?? DEFAULT_LIMITS);
        const batch = this.pending;
        if (batch.rows.length === 0) {
          this.pending = undefined;
          if (finalRead) return;
          if (!this.dirty && !this.finishing) await this.idle();
          continue;
        }
        const result = await insertRows(client, this.options.target.incident, batch.rows);
        this.pending = undefined;
        this.delivered += result.added;
        this.differing += result.differing.length;
        this.tooBig.push(...result.tooBig.map(({ seq, bytes }) => ({ seq, bytes })));
        this.lastDelivered = Math.max(this.lastDelivered, batch.rows.at(-1)?.seq ?? -1);
        this.backlogSince = this.lastDelivered >= this.lastWritten ? undefined : Date.now();
        this.failure = undefined;
        this.retryMs = this.options.retryMinMs ?? 250;
        this.report();
      } catch (error) {
        this.failure = describeLogError(error);
        const client = this.client;
        this.client = undefined;
        void closeLog(client);
        this.report();
        if (this.finishing) {
          if (triedAtFinish) return;
          triedAtFinish = true;
          continue;
        }
        await this.idle(this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, this.options.retryMaxMs ?? 5000);
      }
    }
  }

  private async connected(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = await connectLog(this.options.target.url, { applicationName: 'runbook log delivery' });
    try {
      await ensureSchema(client);
    } catch (error) {
      await closeLog(client);
      throw error;
    }
    this.client = client;
    return client;
  }

  /** Waits for the next `written`/`finish`, or `ms` when given. */
  private idle(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        // A retry wait is cut short only by the end of the run, not by every new event.
        if (ms === undefined || this.finishing || this.stopped) done();
      };
    });
  }

  /**
   * Tells the operator when the state changes, while behind when the count has doubled,
   * and "caught up" once a backlog announced as "delivering again" is gone. Behind means
   * events have waited `behindAfterMs` with nothing delivered, or 1000 wait: a burst of
   * output that the next batch takes is not worth a line.
   */
  private report(): void {
    const behind = Math.max(0, this.lastWritten - this.lastDelivered);
    const waited = this.backlogSince === undefined || behind === 0 ? 0 : Date.now() - this.backlogSince;
    const slow = waited > (this.options.behindAfterMs ?? 2000) || behind >= 1000;
    const state: LogState = this.failure ? 'unreachable' : slow ? 'behind' : 'ok';
    const previous = this.reported;
    const grown = state === 'behind' && previous.state === 'behind' && behind >= previous.behind * 2;
    const caughtUp = state === 'ok' && this.recovering && behind === 0;
    if (state === previous.state && !grown && !caughtUp && !(state === 'unreachable' && this.failure !== previous.reason)) return;
    this.recovering = state === 'ok' && behind > 0;
    this.reported = { state, behind, ...(this.failure ? { reason: this.failure } : {}) };
    this.options.onStatus?.(this.reported);
  }

}

/** The one line a screen shows for a status. */
export function logStatusLine(status: LogStatus, incident: string): string {
  if (status.state === 'unreachable') return `log: unreachable (${status.reason ?? 'no answer'}); ${status.behind} events wait in the transcript, the run goes on`;
  if (status.state === 'behind') return `log: behind ${status.behind} events`;
  if (status.behind > 0) return `log: delivering again, ${status.behind} events to go`;
  return `log: caught up, delivering to incident ${incident}`;
}

/** The same status, short, for a console header; undefined when the log keeps up. */
export function logHeaderText(status: LogStatus): string | undefined {
  if (status.state === 'unreachable') return 'log: unreachable';
  if (status.state === 'behind') return `log: behind ${status.behind} events`;
  return status.behind > 0 ? `log: ${status.behind} events to go` : undefined;
}

/** The one line at the end of a run. */
export function deliveryReportLine(report: DeliveryReport, transcriptPath: string, maskedUrl: string): string {
  const differing =
    (report.differing ? `; ${report.differing} events were already in the log with other content and were left as they were` : '') + (report.tooBig.length ? `; but ${tooBigText(report.tooBig)}` : '');
  if (!report.undelivered) return `log: every event delivered to incident ${report.incident}${differing}`;
  const range = report.range ? ` (seq ${report.range.from}-${report.range.to})` : '';
  const why = report.reason ? ` (${report.reason})` : '';
  return (
    `log: ${report.undelivered} events not delivered${range}${why}; they are in the transcript: ` +
    `runbook log push ${transcriptPath} --log '${maskedUrl}' --incident ${report.incident}${differing}`
  );
}

/** Events the log cannot take, said once at the end (the run's copy in the log has a gap there; the transcript is whole). */
export function tooBigText(tooBig: readonly { seq: number; bytes: number }[]): string {
  const seqs = tooBig.slice(0, 5).map((t) => t.seq).join(', ') + (tooBig.length > 5 ? ', …' : '');
  return `${tooBig.length} events longer than the log takes (${LINE_BOUND} bytes a line) stay in the transcript only (seq ${seqs})`;
}
