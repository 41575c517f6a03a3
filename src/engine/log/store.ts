/**
 * Writing to and reading from `runbook.events`. Every insert is idempotent (a row already
 * there is left alone) and says what it found instead: rows added, rows already there,
 * rows already there with other content or under another incident (never replaced), and
 * rows past the log's bounds (never sent). Every read is bounded: a line longer than
 * LINE_BOUND, or a name longer than FIELD_BOUND, is never fetched; its size is.
 */
import type pg from 'pg';
import { InputError } from '../errors.js';
import { rowTooBig, standIn, type LogRow } from './rows.js';
import { FIELD_BOUND, LINE_BOUND } from './schema.js';

export interface InsertResult {
  added: number;
  /** Already in the log, identical. */
  present: number;
  /** Already in the log under the same (run, seq) but with another line or incident: kept as it was. */
  differing: { run: string; seq: number; incident: string }[];
  /** Lines past the log's bounds: a stand-in row (rows.ts `standIn`) went in their place; the transcript keeps them. */
  tooBig: { run: string; seq: number; bytes: number }[];
}

/** Inserts a batch in one statement (one round trip, its own transaction). */
export async function insertRows(client: pg.Client, incident: string, batch: LogRow[]): Promise<InsertResult> {
  const tooBig = batch.filter((row) => rowTooBig(row) !== undefined).map((row) => ({ run: row.run, seq: row.seq, bytes: rowTooBig(row) as number }));
  // A line past the bounds goes in as a stand-in that says so (the CHECK would refuse the whole batch).
  const rows = tooBig.length ? batch.flatMap((row) => fitting(row)) : batch;
  if (rows.length === 0) return { added: 0, present: 0, differing: [], tooBig };
  const inserted = await client.query<{ run: string; seq: number }>(
    `INSERT INTO runbook.events (incident, run, seq, ts, type, actor, line)
     SELECT $1, r.run, r.seq, r.ts, r.type, r.actor, r.line
       FROM unnest($2::text[], $3::int[], $4::timestamptz[], $5::text[], $6::text[], $7::text[]) AS r(run, seq, ts, type, actor, line)
     ON CONFLICT (run, seq) DO NOTHING
     RETURNING run, seq`,
    [incident, rows.map((r) => r.run), rows.map((r) => r.seq), rows.map((r) => r.ts), rows.map((r) => r.type), rows.map((r) => r.actor), rows.map((r) => r.line)],
  );
  const added = new Set(inserted.rows.map((r) => `${r.run}\u0000${r.seq}`));
  const others = rows.filter((r) => !added.has(`${r.run}\u0000${r.seq}`));
  const differing = others.length ? await differingRows(client, incident, others) : [];
  return { added: inserted.rows.length, present: others.length - differing.length, differing, tooBig };
}

/** The row itself, or for a row past the bounds its stand-in (none when even its name is past them). */
function fitting(row: LogRow): LogRow[] {
  const bytes = rowTooBig(row);
  if (bytes === undefined) return [row];
  const stand = standIn(row, bytes);
  return stand ? [stand] : [];
}

/**
 * Of rows the log already had, those whose stored line or incident is not what we hold.
 * Compared on the server: the stored line may be anything a writer put there (600 MB),
 * and is never fetched.
 */
async function differingRows(client: pg.Client, incident: string, rows: LogRow[]): Promise<InsertResult['differing']> {
  const { rows: stored } = await client.query<{ run: string; seq: number; incident: string }>(
    `SELECT k.run, k.seq, left(e.incident, ${FIELD_BOUND}) AS incident FROM runbook.events e
       JOIN unnest($1::text[], $2::int[], $3::text[]) AS k(run, seq, line) ON e.run = k.run AND e.seq = k.seq
      WHERE e.incident IS DISTINCT FROM $4 OR e.line IS DISTINCT FROM k.line`,
    [rows.map((r) => r.run), rows.map((r) => r.seq), rows.map((r) => r.line), incident],
  );
  return stored;
}

export interface StoredRow extends LogRow {
  /** Arrival order, as text (a bigint). Queries order by the column `e.id`, never by this text. */
  id: string;
  /** Set when the row is past the log's bounds: its line was not fetched (`line` is empty), only its size. */
  oversized?: { bytes: number };
}

/**
 * The columns of a row as readers fetch them: names cut at FIELD_BOUND characters, the line
 * only when the whole row is within the bounds (else NULL, with its size in `bytes`).
 * octet_length of a stored value reads its size from the TOAST header, not the value.
 */
const FITS = `(octet_length(e.line) <= ${LINE_BOUND} AND octet_length(e.run) <= ${FIELD_BOUND} AND octet_length(e.type) <= ${FIELD_BOUND} AND octet_length(e.actor) <= ${FIELD_BOUND})`;
const COLUMNS = `e.id::text AS id, left(e.run, ${FIELD_BOUND}) AS run, e.seq, to_char(e.ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ts,
  left(e.type, ${FIELD_BOUND}) AS type, left(e.actor, ${FIELD_BOUND}) AS actor,
  octet_length(e.line)::float8 AS bytes, CASE WHEN ${FITS} THEN e.line END AS line`;

interface FetchedRow {
  id: string;
  run: string;
  seq: number;
  ts: string;
  type: string;
  actor: string;
  bytes: number;
  line: string | null;
}

function stored({ bytes, line, ...row }: FetchedRow): StoredRow {
  return line === null ? { ...row, line: '', oversized: { bytes } } : { ...row, line };
}

/**
 * Where a follower is: the snapshot it last read up to. Every transaction below `xmax`
 * that was not in `pending` (still open then) had committed or aborted, and its rows were
 * read; what is new is rows of transactions at or past `xmax`, or in `pending`.
 */
export interface FollowCursor {
  xmax: string;
  pending: string[];
}

export const FIRST_CURSOR: FollowCursor = { xmax: '0', pending: [] };

export interface PageLimits {
  rows: number;
  /** Bytes of lines per page; a page always holds at least one row. */
  bytes: number;
}

/**
 * Reads the incident's rows that committed since `cursor`, in commit order (transaction by
 * transaction, each in id order), page by page inside one REPEATABLE READ snapshot, and
 * returns the cursor for next time. A transaction still open now is left for a later read,
 * however low its id: nothing a writer sets decides what a follower has seen. A read
 * interrupted half-way is simply done again from `cursor` (the caller drops rows it has
 * already shown: (run, seq) is a key).
 */
export async function readSince(client: pg.Client, incident: string, cursor: FollowCursor, limits: PageLimits, onPage: (rows: StoredRow[]) => void): Promise<FollowCursor> {
  const [, snapshot] = (await client.query(
    `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
     SELECT pg_snapshot_xmax(s)::text AS xmax, ARRAY(SELECT pg_snapshot_xip(s)::text) AS xip FROM pg_current_snapshot() AS s`,
  )) as unknown as [pg.QueryResult, pg.QueryResult<{ xmax: string; xip: string[] }>];
  try {
    let after: { xid: string; id: string } | undefined;
    for (;;) {
      const { rows } = await client.query<FetchedRow & { xid: string; page_rows: string }>(
        `SELECT id, run, seq, ts, type, actor, bytes, line, xid::text AS xid, page_rows FROM (
           SELECT p.*, count(*) OVER () AS page_rows,
                  sum(p.counted) OVER (ORDER BY p.xid, p.id_) - p.counted AS before
             FROM (SELECT ${COLUMNS}, e.xid, e.id AS id_, CASE WHEN ${FITS} THEN octet_length(e.line) ELSE 0 END AS counted
                     FROM runbook.events e
                    WHERE e.incident = $1 AND (e.xid >= $2::xid8 OR e.xid = ANY($3::xid8[]))
                      AND ($4::xid8 IS NULL OR (e.xid, e.id) > ($4::xid8, $5::bigint))
                    ORDER BY e.xid, e.id LIMIT $6) AS p
         ) AS s
          WHERE s.before < $7 ORDER BY s.xid, s.id_`,
        [incident, cursor.xmax, cursor.pending, after?.xid ?? null, after?.id ?? null, limits.rows, limits.bytes],
      );
      if (rows.length === 0) break;
      const last = rows.at(-1) as { xid: string; id: string };
      after = { xid: last.xid, id: last.id };
      onPage(rows.map(({ xid: _xid, page_rows: _count, ...row }) => stored(row as FetchedRow)));
      if (Number(rows[0]?.page_rows) < limits.rows && rows.length === Number(rows[0]?.page_rows)) break;
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  const row = snapshot.rows[0] as { xmax: string; xip: string[] };
  return { xmax: row.xmax, pending: row.xip };
}

/**
 * Of (run, seq) keys an incident's follower waits for, those in the log under another
 * incident: the key is the primary key, so that row can never arrive where it waits.
 */
export async function keysElsewhere(client: pg.Client, incident: string, keys: { run: string; seq: number }[]): Promise<{ run: string; seq: number; incident: string }[]> {
  if (keys.length === 0) return [];
  const { rows } = await client.query<{ run: string; seq: number; incident: string }>(
    `SELECT k.run, k.seq, left(e.incident, 128) AS incident FROM runbook.events e
       JOIN unnest($1::text[], $2::int[]) AS k(run, seq) ON e.run = k.run AND e.seq = k.seq
      WHERE e.incident IS DISTINCT FROM $3`,
    [keys.map((k) => k.run), keys.map((k) => k.seq), incident],
  );
  return rows;
}

/** The most bytes of lines `verify --log` and `timeline --log` hold of one incident (a real one is megabytes). */
export const INCIDENT_READ_BOUND = 1024 * 1024 * 1024;

/**
 * The runs of an incident, each with its rows in seq order, runs in the order they first
 * arrived. They are held whole (a timeline is built from all of them), so first their size
 * is asked (from the rows' headers, no line read): an incident past `bound` is refused
 * with one line rather than read until memory runs out.
 */
export async function incidentRuns(client: pg.Client, incident: string, bound = INCIDENT_READ_BOUND): Promise<Map<string, StoredRow[]>> {
  const { rows: [size] } = await client.query<{ bytes: number; rows: number }>(
    `SELECT coalesce(sum(CASE WHEN ${FITS} THEN octet_length(e.line) ELSE 0 END), 0)::float8 AS bytes, count(*)::float8 AS rows
       FROM runbook.events e WHERE incident = $1`,
    [incident],
  );
  if (size && size.bytes > bound) {
    throw new InputError(
      `incident ${incident} holds ${size.bytes} bytes of lines in the log (${size.rows} rows), more than the ${bound} bytes a reader holds at once; ` +
        'look at its runs with runbook follow, or ask the log\'s owner what filled it',
    );
  }
  const { rows } = await client.query<FetchedRow>(
    `SELECT ${COLUMNS} FROM runbook.events e WHERE incident = $1
      ORDER BY min(e.id) OVER (PARTITION BY e.run), e.run, e.seq`,
    [incident],
  );
  const runs = new Map<string, StoredRow[]>();
  for (const row of rows) {
    const list = runs.get(row.run) ?? [];
    list.push(stored(row));
    runs.set(row.run, list);
  }
  return runs;
}
