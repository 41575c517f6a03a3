/**
 * A transcript line as a row of the log: the line itself, exactly as the transcript has
 * it, and the columns a query needs (run, seq, ts, type, actor) read from it. The actor of
 * an event without one of its own is the actor who started (or resumed) the run.
 */
export interface LogRow {
  run: string;
  seq: number;
  ts: string;
  type: string;
  actor: string;
  /** The transcript line without its newline, byte for byte (as UTF-8 text). */
  line: string;
}

/** Reads rows from lines in file order, remembering the run's actor as it goes. */
export class RowReader {
  private runActor = 'unknown';

  /** The row for one line; undefined for a line that is not an event (a torn tail). */
  row(bytes: Buffer): LogRow | undefined {
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
}
