/**
 * The run's one look at its database before the first cell: connect once, read the
 * catalogue of what the SQL cells call, and keep the failure if it does not answer, so
 * preflight reports an unreachable target without a second 10-second connection attempt.
 */
import { queryCatalogue } from './catalogue.js';
import { connectFailure, connectSqlState, type Queryable } from './connect.js';
import { connectSession, handOver, type OpenedSession } from './handover.js';
import type { Catalogue } from './effects.js';

export interface Probe {
  /** The target's volatility of what the cells call; absent when it did not answer. */
  catalogue?: Catalogue;
  /** Why the target did not answer, in one line. */
  failure?: string;
  /** Its SQLSTATE (53300, 28P01…; 08001 when no server spoke). */
  code?: string;
}

/**
 * Undefined when there is nothing to look at (no URL or no SQL cell). The session stays
 * open for the run's SQL executor (handover.ts), which would otherwise connect again.
 */
export async function probeDatabase(url: string, cells: readonly { lang: string; source: string }[]): Promise<Probe | undefined> {
  const sql = cells.filter((cell) => cell.lang === 'sql').map((cell) => cell.source);
  if (!url || sql.length === 0) return undefined;
  let session: OpenedSession;
  try {
    session = await connectSession(url, 'runbook preflight', 10_000);
  } catch (error) {
    return { failure: connectFailure(error), code: connectSqlState(error) };
  }
  try {
    return { catalogue: await queryCatalogue(session.client as unknown as Queryable, sql) };
  } catch {
    // It answered but its catalogue could not be read: the built-in snapshot decides.
    return {};
  } finally {
    handOver(url, session);
  }
}
