/**
 * One short-lived connection for the checks a run makes before its first cell (the
 * catalogue lookup, whether the target answers), and how a failed connection is said in
 * one line. The cells' own connection is the SQL executor's.
 */

/** The part of a pg client the checks use. */
export interface Queryable {
  query<R>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/** Connects (10 s at most), runs `use`, always disconnects. Throws the connection's or the query's error. */
export async function withClient<T>(url: string, application: string, use: (client: Queryable) => Promise<T>): Promise<T> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, application_name: application });
  client.on('error', () => {});
  try {
    await client.connect();
    return await use(client as unknown as Queryable);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The SQLSTATE of a failed connection: the server's own (53300 too many connections,
 * 28P01 bad password, 3D000 no such database, 57P03 starting up), else 08001, the
 * standard's "unable to establish connection" for what the client met before any server
 * spoke (refused, host not found, timed out).
 */
export function connectSqlState(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : '08001';
}

/** A failed connection or query, as the one line preflight prints. */
export function connectFailure(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e.code === 'ECONNREFUSED') return 'connection refused (is the server running on that host and port?)';
  if (e.code === 'ENOTFOUND') return 'host not found';
  if (/timeout/i.test(e.message ?? '') && !e.code) return 'connection timed out (is the host reachable?)';
  if (e.code === '28P01') return 'password authentication failed';
  if (e.code === '3D000') return e.message ?? 'database does not exist';
  const message = (e.message ?? String(error)).split('\n')[0] ?? '';
  return e.code ? `${message} (${e.code})` : message;
}
