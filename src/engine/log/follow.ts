/**
 * Follows an incident in the log: LISTEN for the trigger's NOTIFY, and on each one (and
 * once at the start, after every reconnect, and every few seconds in case a notification
 * was lost with a connection) read what arrived after the last row seen, in arrival order.
 * Rows of an incident become visible in id order (schema.ts), so "after id N" misses none.
 */
import type pg from 'pg';
import type { LogTarget } from './config.js';
import { closeLog, connectLog, describeLogError } from './connection.js';
import { NOTIFY_CHANNEL } from './schema.js';
import { rowsAfter, type StoredRow } from './store.js';

export interface FollowOptions {
  target: LogTarget;
  onRow(row: StoredRow): void;
  /** Connection trouble and recovery, one line each. */
  onStatus?(line: string): void;
  signal: AbortSignal;
  pollMs?: number;
}

const PAGE = 1000;

export async function followLog(options: FollowOptions): Promise<void> {
  const { target, signal } = options;
  let watermark = '0';
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
          for (;;) {
            const rows = await rowsAfter(session, target.incident, watermark, PAGE);
            for (const row of rows) {
              watermark = row.id;
              options.onRow(row);
            }
            if (rows.length < PAGE) break;
          }
        }
      } finally {
        clearInterval(poll);
      }
    } catch (error) {
      if (signal.aborted) break;
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
