/**
 * A run's first PostgreSQL session, kept for its cells. Preflight connects to read the
 * catalogue (probe.ts), and the SQL executor used to connect again for the first cell: a
 * second TCP handshake, backend start and SCRAM exchange in every run (~5 ms of this
 * process's CPU, 10–25 ms of wall here, a tenth of a one-cell run). Now the probe leaves
 * its session here, idle, and the executor's first connection (connection.ts) takes it.
 *
 * What is handed over is only a session that is idle outside any transaction and has not
 * reported an error or its end; it changed nothing but reading the catalogue. The taker
 * still runs a query on it before use and connects afresh if that fails (a backend killed
 * while parked). A parked session does not keep the process alive (its socket is unref'd),
 * and it is ended after PARKED_MS if no executor took it (a run whose SQL cells come late).
 */
import type pg from 'pg';

/** A session as connectSession opened it: what the server reported since its start (ParameterStatus), and whether it died. */
export interface OpenedSession {
  client: pg.Client;
  /** Every ParameterStatus since the start-up, latest value per name (connection.ts reads the lexing ones). */
  reported: Map<string, string>;
  /** Set when the client reported an error or its end. */
  dead?: Error;
}

const PARKED_MS = 60_000;

let parked: { url: string; session: OpenedSession; expiry: NodeJS.Timeout } | undefined;

type Stream = { ref?(): void; unref?(): void };
const streamOf = (client: pg.Client) => (client as unknown as { connection: { stream: Stream } }).connection.stream;

/**
 * Opens a session whose start-up ParameterStatus messages are kept (a listener added after
 * connect would miss them). `timeoutMs`: pg's connectionTimeoutMillis.
 */
export async function connectSession(url: string, application: string, timeoutMs: number, signal?: AbortSignal): Promise<OpenedSession> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, application_name: application, connectionTimeoutMillis: timeoutMs });
  const session: OpenedSession = { client, reported: new Map() };
  client.on('error', (error) => void (session.dead ??= error));
  client.on('end', () => void (session.dead ??= new Error('the server closed the connection')));
  // Reported at start-up and after every change of a GUC_REPORT setting, before the ReadyForQuery of the statement that changed it.
  (client as unknown as { connection: { on(event: 'parameterStatus', listener: (message: { parameterName: string; parameterValue: string }) => void): void } }).connection.on(
    'parameterStatus',
    ({ parameterName, parameterValue }) => void session.reported.set(parameterName, parameterValue),
  );
  const abandon = () => void client.end().catch(() => {});
  signal?.addEventListener('abort', abandon, { once: true });
  try {
    await client.connect();
  } finally {
    signal?.removeEventListener('abort', abandon);
  }
  return session;
}

/** Leaves `session` for the executor of a run on `url`, or ends it when it is not idle and whole. Replaces (ends) one parked before. */
export function handOver(url: string, session: OpenedSession): void {
  if (session.dead || session.client.getTransactionStatus() !== 'I') {
    void session.client.end().catch(() => {});
    return;
  }
  endParked();
  streamOf(session.client).unref?.();
  const expiry = setTimeout(endParked, PARKED_MS);
  expiry.unref();
  parked = { url, session, expiry };
}

/** The session parked for `url`, taken (it keeps the process alive again); undefined when there is none fit to use. */
export function takeOver(url: string): OpenedSession | undefined {
  if (!parked || parked.url !== url) return undefined;
  const { session, expiry } = parked;
  parked = undefined;
  clearTimeout(expiry);
  if (session.dead || session.client.getTransactionStatus() !== 'I') {
    void session.client.end().catch(() => {});
    return undefined;
  }
  streamOf(session.client).ref?.();
  return session;
}

/** Ends the parked session, if any (also for tests). */
export function endParked(): void {
  const left = parked;
  parked = undefined;
  if (!left) return;
  clearTimeout(left.expiry);
  void left.session.client.end().catch(() => {});
}
