/**
 * The one PostgreSQL session of a run: connected lazily, watched for loss (the Client
 * 'error' event), reconnected on the next cell after a loss, and able to cancel its
 * running statement from a second short-lived connection (`pg_cancel_backend`).
 */
import pg from 'pg';
import { maskUrl } from '../../redact.js';
import { connectFailure, connectSqlState } from './connect.js';

/** A server notice (RAISE NOTICE, warnings) as pg delivers it. */
export interface Notice {
  severity?: string;
  message?: string;
  detail?: string;
  hint?: string;
}

/** The session could not be opened: nothing of the cell ran. `code` is its SQLSTATE (connect.ts). */
export class SqlConnectError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'SqlConnectError';
    this.code = code;
  }
}

export interface SqlConnectionOptions {
  url: string;
  applicationName: string;
  connectTimeoutMs: number;
}

export class SqlConnection {
  private client: pg.Client | undefined;
  private lost: Error | undefined;
  /** The server process of the session, for pg_cancel_backend (behind a pooler too). */
  private backendPid: number | undefined;
  /** Set after a loss; the next open() reconnects and says so. */
  private reconnecting = false;
  onNotice: ((notice: Notice) => void) | undefined;

  constructor(private readonly options: SqlConnectionOptions) {}

  get maskedUrl(): string {
    return maskUrl(this.options.url);
  }

  /** Why the session died during the current cell, if it did. */
  get lostReason(): Error | undefined {
    return this.lost;
  }

  /** 'I' idle, 'T' in a transaction, 'E' in a failed transaction; undefined if unknown. */
  get transactionStatus(): string | undefined {
    return this.client?.getTransactionStatus() ?? undefined;
  }

  /** The connected client, connecting first if needed. `reconnected` is true after a lost session. */
  async open(signal: AbortSignal): Promise<{ client: pg.Client; reconnected: boolean }> {
    if (this.client && !this.lost) return { client: this.client, reconnected: false };
    const reconnected = this.reconnecting;
    this.lost = undefined;
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: this.options.applicationName,
      connectionTimeoutMillis: this.options.connectTimeoutMs,
    });
    client.on('error', (error) => this.markLost(client, error));
    client.on('end', () => this.markLost(client, new Error('the server closed the connection')));
    client.on('notice', (notice) => this.onNotice?.(notice as Notice));
    const abandon = () => void client.end().catch(() => {});
    signal.addEventListener('abort', abandon, { once: true });
    try {
      await client.connect();
    } catch (error) {
      throw new SqlConnectError(`could not connect to ${this.maskedUrl}: ${connectFailure(error)}`, connectSqlState(error));
    } finally {
      signal.removeEventListener('abort', abandon);
    }
    try {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      this.backendPid = rows[0]?.pid;
    } catch {
      this.backendPid = (client as unknown as { processID?: number }).processID;
    }
    this.client = client;
    this.reconnecting = false;
    return { client, reconnected };
  }

  /**
   * Cancels whatever the session runs, from a second connection. Resolves when the
   * server has been asked; rejects never (a failed cancel is followed by destroy()).
   */
  async cancelRunning(): Promise<boolean> {
    const pid = this.backendPid;
    if (!pid) return false;
    const canceller = new pg.Client({ connectionString: this.options.url, application_name: `${this.options.applicationName} (cancel)`, connectionTimeoutMillis: this.options.connectTimeoutMs });
    canceller.on('error', () => {});
    try {
      await canceller.connect();
      await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
      return true;
    } catch {
      return false;
    } finally {
      await canceller.end().catch(() => {});
    }
  }

  /** Drops the socket: the last resort when a cancel does not end a statement. */
  destroy(reason: Error): void {
    const client = this.client;
    if (!client) return;
    this.markLost(client, reason);
    (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    const ended = client.end().catch(() => {});
    const timer = setTimeout(() => (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy(), 2000);
    await ended;
    clearTimeout(timer);
  }

  private markLost(client: pg.Client, error: Error): void {
    if (client !== this.client || this.lost) return;
    this.lost = error;
    this.reconnecting = true;
  }
}
