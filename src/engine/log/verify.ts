/**
 * Checks the log the way `verify` checks a file: each run's rows, in seq order, go
 * through the transcript's own chain checker (seq without gaps from 0, every hash
 * chaining to the one before), and against a local transcript line by line.
 */
import { ChainChecker, type VerifyResult } from '../transcript/verify.js';
import { transcriptLineBatches } from '../transcript/lines.js';
import { FIELD_BOUND, LINE_BOUND } from './schema.js';
import { OMITTED } from './rows.js';
import type { StoredRow } from './store.js';

export interface RunCheck {
  run: string;
  result: VerifyResult;
  /** On failure: the seq of the row the check stopped at. */
  seq?: number;
}

/**
 * One run's rows through the transcript's chain checker, one at a time and in seq order:
 * what `verify --log` and `timeline --log` run over a whole run and `follow` runs as rows
 * arrive. Beyond the file's checks, a row must have been read (not past the bounds) and its
 * run column must be its line's run (the seq column is checked by the chain's seq rule).
 */
export class RunChain {
  private readonly checker: ChainChecker;
  private fed = 0;
  private problem: string | undefined;
  /** Who started (or resumed) the run, from its chained lines; the row's actor column is only a writer's say-so. */
  actor: string | undefined;

  constructor(readonly run: string) {
    this.checker = new ChainChecker(`run ${run}`);
  }

  /** Undefined when the row extends the chain; else why not (and every later row is refused too). */
  feed(row: StoredRow): string | undefined {
    if (this.problem) return this.problem;
    this.fed += 1;
    if (row.oversized) return (this.problem = `a row of ${row.oversized.bytes} bytes, past the log's bound of ${LINE_BOUND} bytes a line (or ${FIELD_BOUND} a name): not read`);
    let event: unknown;
    try {
      event = JSON.parse(row.line);
    } catch {
      event = undefined;
    }
    const parsed = event === undefined ? undefined : { value: event };
    const omitted = event as { type?: unknown; seq?: unknown; omitted?: unknown; bytes?: unknown } | null | undefined;
    if (omitted?.type === OMITTED && omitted.seq === row.seq) {
      return (this.problem = `its event (${String(omitted.omitted)}, ${String(omitted.bytes)} bytes) was longer than the log takes: it is in the run's transcript only, and the chain cannot be checked past it`);
    }
    if (!this.checker.feed({ number: this.fed, bytes: Buffer.from(row.line, 'utf8'), end: 0, terminated: true }, parsed)) {
      const { result } = this.checker.finish();
      return (this.problem = result.ok ? 'the chain ends here' : result.reason);
    }
    // A chained line filed under another run's name (its seq column is the chain's seq rule's to check).
    const record = event as Record<string, unknown>;
    if (record.run !== row.run) return (this.problem = `the row says run ${row.run} but its line says ${String(record.run)}`);
    if ((record?.type === 'run.started' || record?.type === 'run.resumed') && typeof record.actor === 'string') this.actor = record.actor;
    return undefined;
  }

  /** Ends the chain from outside: a gap that did not fill. */
  fail(reason: string): void {
    this.problem ??= reason;
  }

  /** How many rows were fed (the 1-based number of the row a problem is at). */
  get position(): number {
    return this.fed;
  }

  get broken(): boolean {
    return this.problem !== undefined;
  }

  finish(): VerifyResult {
    return this.checker.finish().result;
  }
}

export function checkRun(run: string, rows: StoredRow[]): RunCheck {
  const chain = new RunChain(run);
  for (const row of rows) {
    const problem = chain.feed(row);
    if (problem) return { run, result: { ok: false, line: chain.position, reason: problem }, seq: row.seq };
  }
  return { run, result: chain.finish() };
}

export type Comparison =
  | { kind: 'same'; events: number }
  | { kind: 'missing'; from: number; to: number; present: number; events: number }
  | { kind: 'extra'; from: number; to: number; events: number }
  | { kind: 'differs'; line: number; seq: number };

/** Compares a verified transcript's lines with the rows of its run (rows in seq order). */
export async function compareWithFile(path: string, rows: StoredRow[]): Promise<Comparison> {
  const bySeq = new Map(rows.map((row) => [row.seq, row.line]));
  const missing: number[] = [];
  let events = 0;
  lines: for await (const batch of transcriptLineBatches(path)) {
    for (const raw of batch) {
      if (!raw.terminated) break lines;
      const seq = raw.number - 1;
      events += 1;
      const stored = bySeq.get(seq);
      if (stored === undefined) missing.push(seq);
      else if (stored !== raw.bytes.toString('utf8')) return { kind: 'differs', line: raw.number, seq };
    }
  }
  const extra = rows.filter((row) => row.seq >= events);
  if (missing.length) return { kind: 'missing', from: missing[0] as number, to: missing.at(-1) as number, present: events - missing.length, events };
  if (extra.length) return { kind: 'extra', from: (extra[0] as StoredRow).seq, to: (extra.at(-1) as StoredRow).seq, events };
  return { kind: 'same', events };
}
