/**
 * A transcript line as a row of the log: the line itself, exactly as the transcript has
 * it, and the columns a query needs (run, seq, ts, type, actor) read from it. The actor of
 * an event without one of its own is the actor who started (or resumed) the run.
 */
import { FIELD_BOUND, LINE_BOUND } from './schema.js';

export interface LogRow {
  run: string;
  seq: number;
  ts: string;
  type: string;
  actor: string;
  /** The transcript line without its newline, byte for byte (as UTF-8 text). */
  line: string;
  /** A line past LINE_BOUND is not read into a string: its size, and `line` is empty. */
  tooLong?: number;
}

/** How far into an over-long line its run and seq are looked for: the writer puts them first. */
const HEAD = 4096;

/** Reads rows from lines in file order, remembering the run's actor as it goes. */
export class RowReader {
  private runActor = 'unknown';

  /** The row for one line; undefined for a line that is not an event (a torn tail). */
  row(bytes: Buffer): LogRow | undefined {
    if (bytes.length > LINE_BOUND) return this.tooLong(bytes.subarray(0, HEAD), bytes.length);
    const line = bytes.toString('utf8');
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const { run, seq, ts, type, actor } = event;
    if (typeof run !== 'string' || typeof seq !== 'number' || typeof ts !== 'string' || typeof type !== 'string') return undefined;
    if ((type === 'run.started' || type === 'run.resumed') && typeof actor === 'string') this.runActor = actor;
    return { run, seq, ts, type, actor: typeof actor === 'string' ? actor : this.runActor, line };
  }

  /**
   * A line too long for the log, from its first HEAD bytes and its length: run, seq, ts and
   * type read from its head (the writer puts them first), the rest never made a string
   * (it could be longer than V8 can hold).
   */
  tooLong(head: Buffer, length: number): LogRow | undefined {
    const fields = /^\{"v":1,"seq":(\d+),"ts":"([^"\\]{1,64})","type":"([^"\\]{1,128})","run":"([^"\\]{1,256})"/.exec(head.subarray(0, HEAD).toString('utf8'));
    if (!fields) return undefined;
    return { run: fields[4] as string, seq: Number(fields[1]), ts: fields[2] as string, type: fields[3] as string, actor: this.runActor, line: '', tooLong: length };
  }
}

/** The size that puts a row past the log's bounds (its line, or a name), or undefined when it fits. */
export function rowTooBig(row: LogRow): number | undefined {
  if (row.tooLong !== undefined) return row.tooLong;
  const line = Buffer.byteLength(row.line, 'utf8');
  if (line > LINE_BOUND) return line;
  for (const field of [row.run, row.type, row.actor]) {
    const bytes = Buffer.byteLength(field, 'utf8');
    if (bytes > FIELD_BOUND) return bytes;
  }
  return undefined;
}

/** The type of the row that stands in the log for a line too long for it (never in a transcript). */
export const OMITTED = 'log.omitted';

/**
 * The row the log gets instead of a line past its bounds, so the gap is said in the log
 * itself (a follower would otherwise wait for that seq for ever): the line's run, seq, ts,
 * type and size, and no hash, so the run's chain visibly ends there. Undefined when even
 * the run or type is past the bounds (not a line this tool wrote).
 */
export function standIn(row: LogRow, bytes: number): LogRow | undefined {
  if (Buffer.byteLength(row.run, 'utf8') > FIELD_BOUND || Buffer.byteLength(row.type, 'utf8') > FIELD_BOUND) return undefined;
  const line = JSON.stringify({ v: 1, seq: row.seq, ts: row.ts, type: OMITTED, run: row.run, omitted: row.type, bytes });
  return { run: row.run, seq: row.seq, ts: row.ts, type: OMITTED, actor: Buffer.byteLength(row.actor, 'utf8') > FIELD_BOUND ? 'unknown' : row.actor, line };
}
