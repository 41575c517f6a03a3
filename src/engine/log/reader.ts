/**
 * Reads an incident back out of the log as one event stream per run, each in seq order
 * with its chain checked: what a merged timeline consumes, the same shape as reading
 * each run's transcript file.
 */
import type { RunEvent, UnknownEvent } from '../events.js';
import { InputError } from '../errors.js';
import type { LogTarget } from './config.js';
import { closeLog, connectLog, describeLogError } from './connection.js';
import { readableSchema } from './schema.js';
import { incidentRuns, type StoredRow } from './store.js';
import { checkRun, type RunCheck } from './verify.js';

export interface LogRun {
  run: string;
  actor: string;
  events: (RunEvent | UnknownEvent)[];
  check: RunCheck;
  rows: StoredRow[];
}

/** A row's event; none for a row that was not read (past the bounds) or is not a JSON object (the chain check says so). */
function eventOf(row: StoredRow): (RunEvent | UnknownEvent)[] {
  if (row.oversized) return [];
  try {
    const event = JSON.parse(row.line) as unknown;
    return event !== null && typeof event === 'object' && !Array.isArray(event) ? [event as RunEvent | UnknownEvent] : [];
  } catch {
    return [];
  }
}

/** Every run of the incident, in the order they first reached the log. InputError when the log cannot be read. */
export async function readLogRuns(target: LogTarget): Promise<LogRun[]> {
  let client;
  let runs: Map<string, StoredRow[]>;
  try {
    client = await connectLog(target.url, { applicationName: 'runbook log reader' });
    // Reading needs no stamp: version 1 reads as it is; no table yet holds no runs.
    runs = (await readableSchema(client, false)) === 0 ? new Map() : await incidentRuns(client, target.incident);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`cannot read the log ${target.maskedUrl}: ${describeLogError(error)}`);
  } finally {
    await closeLog(client);
  }
  return [...runs].map(([run, rows]) => ({
    run,
    actor: rows[0]?.actor ?? 'unknown',
    events: rows.flatMap((row) => eventOf(row)),
    check: checkRun(run, rows),
    rows,
  }));
}
