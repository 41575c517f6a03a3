/**
 * Reads an incident back out of the log as one event stream per run, each in seq order
 * with its chain checked: what a merged timeline consumes, the same shape as reading
 * each run's transcript file.
 */
import type { RunEvent, UnknownEvent } from '../events.js';
import { InputError } from '../errors.js';
import type { LogTarget } from './config.js';
import { closeLog, connectLog, describeLogError } from './connection.js';
import { incidentRuns, type StoredRow } from './store.js';
import { checkRun, type RunCheck } from './verify.js';

export interface LogRun {
  run: string;
  actor: string;
  events: (RunEvent | UnknownEvent)[];
  check: RunCheck;
  rows: StoredRow[];
}

/** Every run of the incident, in the order they first reached the log. InputError when the log cannot be read. */
export async function readLogRuns(target: LogTarget): Promise<LogRun[]> {
  let client;
  let runs: Map<string, StoredRow[]>;
  try {
    client = await connectLog(target.url, { applicationName: 'runbook log reader' });
    runs = await incidentRuns(client, target.incident);
  } catch (error) {
    // A log with no table yet holds no runs.
    if ((error as { code?: string }).code === '42P01') runs = new Map();
    else throw new InputError(`cannot read the log ${target.maskedUrl}: ${describeLogError(error)}`);
  } finally {
    await closeLog(client);
  }
  return [...runs].map(([run, rows]) => ({
    run,
    actor: rows[0]?.actor ?? 'unknown',
    events: rows.map((row) => JSON.parse(row.line) as RunEvent | UnknownEvent),
    check: checkRun(run, rows),
    rows,
  }));
}
