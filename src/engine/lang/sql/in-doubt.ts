/**
 * What became of SQL writes the CLI did not live to finish (killed while the server went
 * on): their transaction's fate from `pg_xact_status`, and whether their backend still
 * runs. `runbook resume` decides from this whether a write runs again, so it never runs twice.
 */
import pg from 'pg';
import type { UnsettledWrite } from '../../resume-point.js';

export type WriteFate =
  /** The transaction committed: the write is done. */
  | { write: UnsettledWrite; fate: 'committed' }
  /** The transaction rolled back: nothing of the write is left; it may run again. */
  | { write: UnsettledWrite; fate: 'aborted' }
  /** The backend still runs it: running it again now would run it twice at once. */
  | { write: UnsettledWrite; fate: 'running'; state: string; query: string }
  /** The server cannot say (a cell with its own transactions, or a transaction too old to look up). */
  | { write: UnsettledWrite; fate: 'unknown'; why: string };

/** Asks the server about each write. Throws when the server cannot be reached (the caller says so). */
export async function askServer(url: string, writes: readonly UnsettledWrite[]): Promise<WriteFate[]> {
  const client = new pg.Client({ connectionString: url, application_name: 'runbook (resume)', connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    const fates: WriteFate[] = [];
    for (const write of writes) fates.push(await fateOf(client, write));
    return fates;
  } finally {
    await client.end().catch(() => {});
  }
}

async function fateOf(client: pg.Client, write: UnsettledWrite): Promise<WriteFate> {
  const backend = await client.query<{ state: string | null; query: string | null }>(
    `SELECT state, query FROM pg_stat_activity WHERE pid = $1 AND to_json(backend_start) #>> '{}' = $2`,
    [write.pid, write.backendStart],
  );
  const live = backend.rows[0];
  const running = (): WriteFate => ({ write, fate: 'running', state: live?.state ?? 'active', query: live?.query ?? '' });
  if (write.xid === undefined) {
    if (live) return running();
    return { write, fate: 'unknown', why: `the cell manages its own transactions (${write.own ?? 'no transaction id on record'}), and its backend (pid ${write.pid}) has ended` };
  }
  let status: string | null;
  try {
    status = (await client.query<{ status: string | null }>('SELECT pg_xact_status($1::xid8) AS status', [write.xid])).rows[0]?.status ?? null;
  } catch (error) {
    // A transaction id from another server (restored from a backup, say) is "in the future" here.
    return { write, fate: 'unknown', why: `the server cannot look up transaction ${write.xid}: ${(error as Error).message}` };
  }
  if (status === 'committed') return { write, fate: 'committed' };
  if (status === 'aborted') return { write, fate: 'aborted' };
  if (status === 'in progress') return running();
  return { write, fate: 'unknown', why: `transaction ${write.xid} is too old for the server to say how it ended` };
}
