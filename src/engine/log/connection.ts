/**
 * Connections to the log database: short connect timeout, TCP keepalive, a query timeout,
 * and an 'error' listener from the first moment, so a server that goes away is a failed
 * query for the caller, never an uncaught exception that ends the run.
 */
import pg from 'pg';
import { maskUrl } from '../redact.js';

export interface LogConnectOptions {
  applicationName?: string;
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
  /** Called once if the connection is lost while idle (LISTEN sessions care). */
  onLost?: (error: Error) => void;
}

export async function connectLog(url: string, options: LogConnectOptions = {}): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    application_name: options.applicationName ?? 'runbook log',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    query_timeout: options.queryTimeoutMs ?? 30_000,
    keepAlive: true,
  });
  let lost = false;
  client.on('error', (error) => {
    if (lost) return;
    lost = true;
    options.onLost?.(error);
  });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/** One line about a failure talking to the log: the server's message and SQLSTATE, or the network error; no password. */
export function describeLogError(error: unknown): string {
  const e = error as { message?: string; code?: string };
  const message = (e.message ?? String(error)).split('\n')[0] ?? '';
  const code = e.code && /^[0-9A-Z]{5}$/.test(e.code) ? ` (SQLSTATE ${e.code})` : '';
  return maskUrl(`${message}${code}`);
}

/** Closes quietly: the server may already be gone. */
export async function closeLog(client: pg.Client | undefined): Promise<void> {
  if (!client) return;
  await Promise.race([client.end().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
}
