/**
 * The log's schema, owned by the tool: schema `runbook`, table `runbook.events`, one row
 * per transcript line. Created on first use by whoever may create it; a role that may
 * only INSERT and SELECT (see the README's setup SQL) finds it there and never runs DDL.
 *
 * - `(run, seq)` is the primary key, so delivering a line twice adds nothing.
 * - Followers read by the server's commit order, not by a number a writer could choose.
 *   A row-level trigger, owned by the schema's owner, stamps every row with the id of the
 *   transaction that inserted it (`xid`, pg_current_xact_id()) and overwrites `id` and
 *   `received_at` whatever the INSERT said: `OVERRIDING SYSTEM VALUE` and an explicit
 *   `received_at` have no effect, and the id comes from a sequence responders cannot use.
 *   A follower remembers the snapshot it last read (its xmax and the transactions still
 *   open then) and next reads rows of transactions at or past that xmax, plus those that
 *   were open: a transaction is read once it has committed, whole, whatever its ids. A
 *   writer that holds a transaction open delays only its own rows; no lock is shared, so
 *   no writer can stall another (an advisory lock, which any role may take, used to
 *   order inserts; it is gone). See store.ts `readSince`.
 * - Bounds a writer cannot exceed (a CHECK): a line of at most LINE_BOUND bytes, and
 *   incident, run, type and actor of at most FIELD_BOUND. Readers never fetch more than
 *   that either, so a row from before the bound (the CHECK is NOT VALID for old rows) or
 *   from an owner cannot make them fail.
 * - A statement-level trigger NOTIFYs channel `runbook_events` with the incident id (never
 *   the line: a NOTIFY payload is capped at 8000 bytes); followers then query what is new.
 *
 * Version 1 (before the stamp and the bounds) is upgraded in place by adding, never
 * rewriting: a column with a constant default (no table rewrite; old rows read as xid 0,
 * settled before any new one), a trigger, a NOT VALID constraint and an index.
 */
import type pg from 'pg';
import { InputError } from '../errors.js';

export const SCHEMA_VERSION = 2;
export const NOTIFY_CHANNEL = 'runbook_events';
const MARK = 'runbook incident log, schema ';
/** Namespace of the advisory lock that serialises the migration (the first key of the two-key form): "rblg". */
const LOCK_CLASS = 0x72626c67;
/** The longest transcript line the log takes, in bytes (UTF-8). */
export const LINE_BOUND = 16 * 1024 * 1024;
/** The longest incident, run, type or actor, in bytes. */
export const FIELD_BOUND = 4096;

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
ALTER TABLE runbook.events ADD COLUMN IF NOT EXISTS xid xid8 NOT NULL DEFAULT '0';
CREATE UNIQUE INDEX IF NOT EXISTS events_incident_id ON runbook.events (incident, id);
CREATE INDEX IF NOT EXISTS events_incident_xid ON runbook.events (incident, xid, id);
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_constraint WHERE conrelid = 'runbook.events'::regclass AND conname = 'events_bounds') THEN
    ALTER TABLE runbook.events ADD CONSTRAINT events_bounds CHECK (
      octet_length(line) <= ${LINE_BOUND} AND octet_length(incident) <= ${FIELD_BOUND} AND octet_length(run) <= ${FIELD_BOUND}
      AND octet_length(type) <= ${FIELD_BOUND} AND octet_length(actor) <= ${FIELD_BOUND}) NOT VALID;
  END IF;
END $$;
-- SECURITY DEFINER: the sequence is the owner's; responders have no right to it, and need none.
CREATE OR REPLACE FUNCTION runbook.stamp_events() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  NEW.id := nextval(pg_get_serial_sequence('runbook.events', 'id'));
  NEW.xid := pg_current_xact_id();
  NEW.received_at := clock_timestamp();
  RETURN NEW;
END $$;
REVOKE ALL ON FUNCTION runbook.stamp_events() FROM PUBLIC;
DROP TRIGGER IF EXISTS events_stamp ON runbook.events;
CREATE TRIGGER events_stamp BEFORE INSERT ON runbook.events FOR EACH ROW EXECUTE FUNCTION runbook.stamp_events();
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
 * Makes sure the table is there at this version, creating or upgrading it if needed
 * (serialised by an advisory lock, since twenty runs may start at once). Throws an
 * InputError for a table the tool did not make, a newer schema than this version knows,
 * or an older one that this role may not upgrade.
 */
export async function ensureSchema(client: pg.Client): Promise<void> {
  const found = await schemaVersion(client);
  if (checked(found)) return;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK_CLASS]);
    if (!checked(await schemaVersion(client))) await client.query(MIGRATION);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    // 42501: a responder's role meets a log from an older runbook; only the owner may upgrade it.
    if (found > 0 && (error as { code?: string }).code === '42501') throw outdated(found);
    throw error;
  }
}

/**
 * For readers, which never run DDL: the log's version when this runbook can read it, 0 when
 * there is no table yet. `follow` needs the commit stamp (`needsStamp`), so version 1 is refused
 * with what to do; `verify --log` and `timeline --log` read version 1 as it is.
 */
export async function readableSchema(client: pg.Client, needsStamp: boolean): Promise<number> {
  const version = await schemaVersion(client);
  if (version === 0) return 0;
  checked(version);
  if (needsStamp && version < 2) throw outdated(version);
  return version;
}

function outdated(version: number): InputError {
  return new InputError(
    `the log's schema is version ${version}, from an older runbook; this runbook needs version ${SCHEMA_VERSION}: ` +
      `its owner upgrades it in place (nothing is rewritten) with: runbook log init --log postgres://OWNER@host/db`,
  );
}

function checked(version: number): boolean {
  if (version === -1) throw new InputError('the log database has a table runbook.events that runbook did not create; use another database or schema for the log');
  if (version > SCHEMA_VERSION) {
    throw new InputError(`the log's schema is version ${version}; this runbook knows version ${SCHEMA_VERSION}: upgrade runbook`);
  }
  return version === SCHEMA_VERSION;
}
