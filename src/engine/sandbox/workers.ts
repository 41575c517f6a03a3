/**
 * The simulated sessions of a sandbox incident, as a small detached process.
 *
 * Started by the sandbox with its configuration in RUNBOOK_SANDBOX_WORKERS (JSON, the
 * environment rather than argv so the password never shows in `ps`). It opens each
 * session, leaves lock waiters waiting, reports `ready` over IPC, disconnects and stays
 * alive only as long as some session does. A session ended by `pg_terminate_backend`
 * is never reopened: that is what the runbook's containment step proves. `reset`
 * (or a fresh server start) launches a new process.
 */
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SessionSpec } from './sessions.js';

export interface WorkersConfig {
  host: string;
  port: number;
  database: string;
  /** Superuser, only to watch the sessions settle; disconnected once they have. */
  superuser: string;
  password: string;
  sessions: SessionSpec[];
}

export type WorkersMessage = { ready: true; sessions: { name: string; pid: number }[] } | { error: string };

async function main(): Promise<void> {
  const config = JSON.parse(process.env.RUNBOOK_SANDBOX_WORKERS ?? '') as WorkersConfig;
  delete process.env.RUNBOOK_SANDBOX_WORKERS;
  const connection = { host: config.host, port: config.port, database: config.database, password: config.password };
  const watcher = new pg.Client({ ...connection, user: config.superuser, application_name: 'runbook-sandbox' });
  await watcher.connect();
  const opened: { name: string; pid: number }[] = [];
  try {
    for (const session of config.sessions) opened.push(await open(session, connection, watcher));
  } finally {
    await watcher.end();
  }
  report({ ready: true, sessions: opened });
  process.disconnect?.();
}

async function open(
  session: SessionSpec,
  connection: { host: string; port: number; database: string; password: string },
  watcher: pg.Client,
): Promise<{ name: string; pid: number }> {
  const client = new pg.Client({ ...connection, user: session.role, application_name: session.name });
  let ended = false;
  // A terminated session reports an error here; it stays gone.
  client.on('error', () => undefined);
  client.on('end', () => (ended = true));
  await client.connect();
  const pid = (client as unknown as { processID: number }).processID;
  const runAll = async () => {
    for (const statement of session.statements) await client.query(statement);
  };
  if (session.everyMs) {
    await runAll();
    const timer = setInterval(() => {
      if (ended) clearInterval(timer);
      else runAll().catch(() => undefined);
    }, session.everyMs);
    client.on('end', () => clearInterval(timer));
    return { name: session.name, pid };
  }
  let settled = false;
  let failure: unknown;
  const running = runAll().then(
    () => (settled = true),
    (error: unknown) => {
      failure = error;
      settled = true;
    },
  );
  // Wait until the statements finish or the session is stuck behind a lock.
  for (let waited = 0; !settled && waited < 10_000; waited += 25) {
    const { rows } = await watcher.query<{ waiting: boolean }>(
      "SELECT wait_event_type = 'Lock' AS waiting FROM pg_stat_activity WHERE pid = $1",
      [pid],
    );
    if (rows[0]?.waiting) break;
    await sleep(25);
  }
  void running;
  if (failure) throw new Error(`session ${session.name}: ${failure instanceof Error ? failure.message : String(failure)}`);
  return { name: session.name, pid };
}

function report(message: WorkersMessage, then?: () => void): void {
  if (process.send) process.send(message, undefined, {}, () => then?.());
  else {
    process.stdout.write(`${JSON.stringify(message)}\n`);
    then?.();
  }
}

main().catch((error: unknown) => {
  report({ error: error instanceof Error ? error.message : String(error) }, () => process.exit(1));
});
