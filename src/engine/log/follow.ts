/**
 * Follows an incident in the log: LISTEN for the trigger's NOTIFY, and on each one (and
 * once at the start, after every reconnect, and every few seconds in case a notification
 * was lost with a connection) read what committed since the last snapshot read, in commit
 * order (store.ts `readSince`: a cursor of the server's transaction ids, which no writer
 * chooses). Each run's rows are shown only as far as its chain holds (follow-chains.ts).
 */
import type pg from 'pg';
import { InputError } from '../errors.js';
import type { LogTarget } from './config.js';
import { closeLog, connectLog, describeLogError } from './connection.js';
import { FollowChains, type Shown } from './follow-chains.js';
import { NOTIFY_CHANNEL, readableSchema } from './schema.js';
import { FIRST_CURSOR, keysElsewhere, readSince, type PageLimits, type StoredRow } from './store.js';

export interface FollowOptions {
  target: LogTarget;
  /** A row whose run's chain holds up to it, in its run's seq order; `actor` is the run's, from its chain. */
  onRow(row: StoredRow): void;
  /** A run whose chain broke at `seq` (or whose row there could not be read): none of its rows are shown from there on. */
  onBroken(run: string, actor: string | undefined, seq: number, reason: string): void;
  /** Connection trouble and recovery, one line each. */
  onStatus?(line: string): void;
  signal: AbortSignal;
  pollMs?: number;
}

/** A page: at most 1000 rows and 32 MiB of lines (always at least one row; one line is at most LINE_BOUND). */
const PAGE: PageLimits = { rows: 1000, bytes: 32 * 1024 * 1024 };

export async function followLog(options: FollowOptions): Promise<void> {
  const { target, signal } = options;
  let cursor = FIRST_CURSOR;
  const chains = new FollowChains();
  let retryMs = 250;
  let troubled = false;
  while (!signal.aborted) {
    let client: pg.Client | undefined;
    try {
      let loseWith: (error: Error) => void = () => undefined;
      const lost = new Promise<Error>((resolve) => (loseWith = resolve));
      client = await connectLog(target.url, { applicationName: 'runbook follow', onLost: (error) => loseWith(error) });
      if (signal.aborted) break;
      const session = client;
      let wanted = true;
      let ready = false;
      let wake: (() => void) | undefined;
      session.on('notification', (message) => {
        if (message.channel !== NOTIFY_CHANNEL || message.payload !== target.incident) return;
        wanted = true;
        wake?.();
      });
      await session.query(`LISTEN ${NOTIFY_CHANNEL}`);
      if (troubled) options.onStatus?.(`follow: the log answers again; catching up`);
      troubled = false;
      retryMs = 250;
      const poll = setInterval(() => {
        wanted = true;
        wake?.();
      }, options.pollMs ?? 5000);
      const ended = Promise.race([lost, aborted(signal)]);
      try {
        while (!signal.aborted) {
          if (!wanted) {
            const next = new Promise<void>((resolve) => (wake = resolve));
            const reason = await Promise.race([next.then(() => undefined), ended]);
            wake = undefined;
            if (reason) throw reason;
            continue;
          }
          wanted = false;
          // No table yet: nothing to show until the first run creates it.
          if (!ready && (await readableSchema(session, true)) === 0) continue;
          ready = true;
          const show = (shown: Shown) => (shown.kind === 'row' ? options.onRow(shown.row) : options.onBroken(shown.run, shown.actor, shown.seq, shown.reason));
          cursor = await readSince(session, target.incident, cursor, PAGE, (rows) => {
            for (const row of rows) chains.accept(row).forEach(show);
          });
          // A seq a run waits for that sits under another incident will never come here: say so now, not after 2,000 rows.
          for (const found of await keysElsewhere(session, target.incident, chains.gaps())) {
            chains.unfillable(found.run, `seq ${found.seq} is in the log under incident ${found.incident}, not this one`).forEach(show);
          }
        }
      } finally {
        clearInterval(poll);
      }
    } catch (error) {
      if (signal.aborted) break;
      // A log this runbook cannot follow (another tool's table, an older or newer schema) is not a network blip.
      if (error instanceof InputError) throw error;
      if (!troubled) options.onStatus?.(`follow: the log ${target.maskedUrl} is unreachable (${describeLogError(error)}); retrying`);
      troubled = true;
      await sleep(retryMs, signal);
      retryMs = Math.min(retryMs * 2, 5000);
    } finally {
      await closeLog(client);
    }
  }
}

class Aborted extends Error {}

function aborted(signal: AbortSignal): Promise<Error> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(new Aborted());
    signal.addEventListener('abort', () => resolve(new Aborted()), { once: true });
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
