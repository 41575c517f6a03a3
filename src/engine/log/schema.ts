/**
 * The log's schema, owned by the tool: schema `runbook`, table `runbook.events`, one row
 * per transcript line. Created on first use by whoever may create it; a role that may
 * only INSERT and SELECT (see the README's setup SQL) finds it there and never runs DDL.
 *
 * - `(run, seq)` is the primary key, so delivering a line twice adds nothing.
 * - `id` orders rows as they arrived. Inserts of one incident take a transaction-level
 *   advisory lock first, so ids of an incident become visible in id order and a follower
 *   that has read up to id N never later finds a row below N.
 * - A statement-level trigger NOTIFYs channel `runbook_events` with the incident id (never
 *   the line: a NOTIFY payload is capped at 8000 bytes); followers then query what is new.
 */
import type pg from 'pg';
import { InputError } from '../errors.js';

export const SCHEMA_VERSION = 1;
export const NOTIFY_CHANNEL = 'runbook_events';
const MARK = 'runbook incident log, schema ';
/** Namespace of the advisory locks (the first key of the two-key form): "rblg". */
export const LOCK_CLASS = 0x72626c67;

const MIGRATION = `
CREATE SCHEMA IF NOT EXISTS runbook;
CREATE TABLE IF NOT EXISTS runbook.events (
  id          bigint GENERATED ALWAYS AS IDENTITY,
  incident    text        NOT NULL,
  run         text        NOT NULL,
  seq         integer     NOT NULL CHECK (seq >= 0),
  ts          timestamptz NOT NULL,
  type        text        NOT NULL,
  actor       text        NOT NULL,
  line        text        NOT NULL,
  received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (run, seq)
);
CREATE UNIQUE INDEX IF NOT EXISTS events_incident_id ON runbook.events (incident, id);
CREATE OR REPLACE FUNCTION runbook.notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('${NOTIFY_CHANNEL}', incident) FROM (SELECT DISTINCT incident FROM added) AS incidents;
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS events_notify ON runbook.events;
CREATE TRIGGER events_notify AFTER INSERT ON runbook.events
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION runbook.notify_events();
COMMENT ON TABLE runbook.events IS '${MARK}${SCHEMA_VERSION}';
`;

/** The version the table's comment records; 0 when there is no table yet. Reads the catalog only, so any role may ask. */
export async function schemaVersion(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ note: string | null }>(
    `SELECT obj_description(c.oid, 'pg_class') AS note FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'runbook' AND c.relname = 'events'`,
  );
  const note = rows[0]?.note;
  if (!rows[0]) return 0;
  const version = note?.startsWith(MARK) ? Number(note.slice(MARK.length)) : NaN;
  return Number.isInteger(version) ? version : -1;
}

/**
 * Makes sure the table is there, creating it if needed (serialised by an advisory lock,
 * since twenty runs may start at once). Throws an InputError for a table the tool did not make
 * or a newer schema than this version knows.
 */
export async function ensureSchema(client: pg.Client): Promise<void> {
  if (checked(await schemaVersion(client))) return;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK_CLASS]);
    if (!checked(await schemaVersion(client))) await client.query(MIGRATION);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

function checked(version: number): boolean {
  if (version === -1) throw new InputError('the log database has a table runbook.events that runbook did not create; use another database or schema for the log');
  if (version > SCHEMA_VERSION) {
    throw new InputError(`the log's schema is version ${version}; this runbook knows version ${SCHEMA_VERSION}: upgrade runbook`);
  }
  return version === SCHEMA_VERSION;
}
