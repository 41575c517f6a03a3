/**
 * The one PostgreSQL session of a run: connected lazily, watched for loss (the Client
 * 'error' event), reconnected on the next cell after a loss, and able to cancel its
 * running statement from a second short-lived connection (`pg_cancel_backend`).
 */
import pg from 'pg';
import { maskUrl } from '../../redact.js';
import { connectFailure, connectSqlState } from './connect.js';
import { connectSession, takeOver, type OpenedSession } from './handover.js';

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

/**
 * The settings under which the server reads a statement's text as libpg-query does (which
 * decided the cell's effect and cut it into statements). With `standard_conforming_strings`
 * off, `SELECT 'a\'' , pg_terminate_backend(1) -- '` is a constant to the parser and a call to
 * the server; with a client encoding such as SJIS, a UTF-8 byte before a backslash swallows
 * it, and `E'Á\' , f() -- '` is the same. Both are reported by the server (GUC_REPORT), so
 * the executor sets them back before a statement whenever the session holds another value
 * (a database or role default, the URL's options, or an earlier cell).
 */
const READ_AS: Record<string, { value: string; sql: string }> = {
  standard_conforming_strings: { value: 'on', sql: 'SET standard_conforming_strings = on' },
  // pg sends every text as UTF-8.
  client_encoding: { value: 'UTF8', sql: "SET client_encoding = 'UTF8'" },
};

const NONE: readonly never[] = Object.freeze([]);

/** The SETs of READ_AS, transaction-local: what a connection that rolls everything back (a rehearsal) sends before each statement. */
export const READ_AS_LOCAL: readonly string[] = Object.values(READ_AS).map(({ sql }) => sql.replace(/^SET /, 'SET LOCAL '));

export class SqlConnection {
  private client: pg.Client | undefined;
  private lost: Error | undefined;
  /** The server process of the session, for pg_cancel_backend (behind a pooler too). */
  private backendPid: number | undefined;
  /** Set after a loss; the next open() reconnects and says so. */
  private reconnecting = false;
  /** What the server last reported (ParameterStatus) of the settings that decide how it reads a statement's text. */
  private lexing = new Map<string, string>();
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

  /**
   * The SETs that make the server read a statement's text as the engine's parser read it
   * (READ_AS), for the settings it last reported otherwise; empty nearly always.
   */
  lexingFixes(): readonly { setting: string; was: string; sql: string }[] {
    // Before every statement: the values the server reports when all is as wanted cost two lookups.
    if (this.lexing.get('standard_conforming_strings') === 'on' && this.lexing.get('client_encoding') === 'UTF8') return NONE;
    const fixes: { setting: string; was: string; sql: string }[] = [];
    for (const setting in READ_AS) {
      const wanted = READ_AS[setting]!;
      // Never reported (a server or pooler that does not): set as well, rather than trusted.
      const value = this.lexing.get(setting) ?? 'not reported';
      if (value.toUpperCase() !== wanted.value.toUpperCase()) fixes.push({ setting, was: value, sql: wanted.sql });
    }
    return fixes;
  }

  /** The connected client, connecting first if needed. `reconnected` is true after a lost session. */
  async open(signal: AbortSignal): Promise<{ client: pg.Client; reconnected: boolean }> {
    if (this.client && !this.lost) return { client: this.client, reconnected: false };
    const reconnected = this.reconnecting;
    this.lost = undefined;
    // The run's preflight session when there is one (handover.ts): one connection a run, not two.
    const session = (await this.adopt()) ?? (await this.connect(signal));
    this.client = session.client;
    this.lexing = session.reported;
    this.reconnecting = false;
    return { client: session.client, reconnected };
  }

  private async connect(signal: AbortSignal): Promise<OpenedSession> {
    let session: OpenedSession;
    try {
      session = await connectSession(this.options.url, this.options.applicationName, this.options.connectTimeoutMs, signal);
    } catch (error) {
      throw new SqlConnectError(`could not connect to ${this.maskedUrl}: ${connectFailure(error)}`, connectSqlState(error));
    }
    const { client } = session;
    this.watch(client);
    try {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      this.backendPid = rows[0]?.pid;
    } catch {
      this.backendPid = (client as unknown as { processID?: number }).processID;
    }
    return session;
  }

  /** The preflight's session, named as this connection's, after one query shows it alive; undefined to connect afresh. */
  private async adopt(): Promise<OpenedSession | undefined> {
    const session = takeOver(this.options.url);
    if (!session) return undefined;
    const { client } = session;
    this.watch(client);
    try {
      // The same round trip as a fresh session's pid query.
      const { rows } = await client.query<{ pid: number }>({ text: "SELECT pg_catalog.set_config('application_name', $1, false), pg_backend_pid() AS pid", values: [this.options.applicationName] });
      this.backendPid = rows[0]?.pid;
      if (session.dead || client.getTransactionStatus() !== 'I') throw session.dead ?? new Error('not idle');
      return session;
    } catch {
      // Killed or broken while parked: nothing of a cell ran on it.
      void client.end().catch(() => {});
      return undefined;
    }
  }

  private watch(client: pg.Client): void {
    client.on('error', (error) => this.markLost(client, error));
    client.on('end', () => this.markLost(client, new Error('the server closed the connection')));
    client.on('notice', (notice) => this.onNotice?.(notice as Notice));
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
