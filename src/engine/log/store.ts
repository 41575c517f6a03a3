/**
 * Writing to and reading from `runbook.events`. Every insert is idempotent (a row already
 * there is left alone) and says what it found instead: rows added, rows already there,
 * and rows already there with other content or under another incident (never replaced).
 */
import type pg from 'pg';
import type { LogRow } from './rows.js';
import { LOCK_CLASS } from './schema.js';

export interface InsertResult {
  added: number;
  /** Already in the log, identical. */
  present: number;
  /** Already in the log under the same (run, seq) but with another line or incident: kept as it was. */
  differing: { run: string; seq: number; incident: string }[];
}

/**
 * Inserts a batch in one statement (one round trip, its own transaction). Rows of one
 * incident are serialised by an advisory lock taken inside the statement before its first
 * row gets its id, and held until commit (see schema.ts for why).
 */
export async function insertRows(client: pg.Client, incident: string, rows: LogRow[]): Promise<InsertResult> {
  if (rows.length === 0) return { added: 0, present: 0, differing: [] };
  const inserted = await client.query<{ run: string; seq: number }>(
    `WITH serialised AS MATERIALIZED (SELECT pg_advisory_xact_lock($8, hashtext($1)))
     INSERT INTO runbook.events (incident, run, seq, ts, type, actor, line)
     SELECT $1, r.run, r.seq, r.ts, r.type, r.actor, r.line
       FROM serialised, unnest($2::text[], $3::int[], $4::timestamptz[], $5::text[], $6::text[], $7::text[]) AS r(run, seq, ts, type, actor, line)
     ON CONFLICT (run, seq) DO NOTHING
     RETURNING run, seq`,
    [
      incident,
      rows.map((r) => r.run),
      rows.map((r) => r.seq),
      rows.map((r) => r.ts),
      rows.map((r) => r.type),
      rows.map((r) => r.actor),
      rows.map((r) => r.line),
      LOCK_CLASS,
    ],
  );
  const added = new Set(inserted.rows.map((r) => `${r.run}\u0000${r.seq}`));
  const others = rows.filter((r) => !added.has(`${r.run}\u0000${r.seq}`));
  const differing = others.length ? await differingRows(client, incident, others) : [];
  return { added: inserted.rows.length, present: others.length - differing.length, differing };
}

/** Of rows the log already had, those whose stored line or incident is not what we hold. */
async function differingRows(client: pg.Client, incident: string, rows: LogRow[]): Promise<InsertResult['differing']> {
  const { rows: stored } = await client.query<{ run: string; seq: number; incident: string; line: string }>(
    `SELECT e.run, e.seq, e.incident, e.line FROM runbook.events e
       JOIN unnest($1::text[], $2::int[]) AS k(run, seq) ON e.run = k.run AND e.seq = k.seq`,
    [rows.map((r) => r.run), rows.map((r) => r.seq)],
  );
  const ours = new Map(rows.map((r) => [`${r.run}\u0000${r.seq}`, r.line]));
  return stored
    .filter((s) => s.incident !== incident || s.line !== ours.get(`${s.run}\u0000${s.seq}`))
    .map(({ run, seq, incident: theirs }) => ({ run, seq, incident: theirs }));
}

export interface StoredRow extends LogRow {
  /** Arrival order, as text (a bigint). Queries order by the column `e.id`, never by this text. */
  id: string;
}

/** Rows of an incident that arrived after `afterId`, in arrival order, at most `limit`. */
export async function rowsAfter(client: pg.Client, incident: string, afterId: string, limit: number): Promise<StoredRow[]> {
  const { rows } = await client.query<StoredRow>(
    `SELECT id::text AS id, run, seq, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ts, type, actor, line
       FROM runbook.events e WHERE incident = $1 AND e.id > $2::bigint ORDER BY e.id LIMIT $3`,
    [incident, afterId, limit],
  );
  return rows;
}

/** The runs of an incident, each with its rows in seq order, runs in the order they first arrived. */
export async function incidentRuns(client: pg.Client, incident: string): Promise<Map<string, StoredRow[]>> {
  const { rows } = await client.query<StoredRow>(
    `SELECT id::text AS id, run, seq, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ts, type, actor, line
       FROM runbook.events e WHERE incident = $1
      ORDER BY min(e.id) OVER (PARTITION BY e.run), e.seq`,
    [incident],
  );
  const runs = new Map<string, StoredRow[]>();
  for (const row of rows) {
    const list = runs.get(row.run) ?? [];
    list.push(row);
    runs.set(row.run, list);
  }
  return runs;
}
