/**
 * Checks the log the way `verify` checks a file: each run's rows, in seq order, go
 * through the transcript's own chain checker (seq without gaps from 0, every hash
 * chaining to the one before), and against a local transcript line by line.
 */
import { ChainChecker, type VerifyResult } from '../transcript/verify.js';
import { transcriptLines } from '../transcript/lines.js';
import type { StoredRow } from './store.js';

export interface RunCheck {
  run: string;
  result: VerifyResult;
  /** On failure: the seq of the row the check stopped at. */
  seq?: number;
}

export function checkRun(run: string, rows: StoredRow[]): RunCheck {
  const checker = new ChainChecker(`run ${run}`);
  for (const [index, row] of rows.entries()) {
    if (!checker.feed({ number: index + 1, bytes: Buffer.from(row.line, 'utf8'), end: 0, terminated: true })) break;
  }
  const { result } = checker.finish();
  return result.ok ? { run, result } : { run, result, seq: rows[result.line - 1]?.seq ?? result.line - 1 };
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
  for await (const raw of transcriptLines(path)) {
    if (!raw.terminated) break;
    const seq = raw.number - 1;
    events += 1;
    const stored = bySeq.get(seq);
    if (stored === undefined) missing.push(seq);
    else if (stored !== raw.bytes.toString('utf8')) return { kind: 'differs', line: raw.number, seq };
  }
  const extra = rows.filter((row) => row.seq >= events);
  if (missing.length) return { kind: 'missing', from: missing[0] as number, to: missing.at(-1) as number, present: events - missing.length, events };
  if (extra.length) return { kind: 'extra', from: (extra[0] as StoredRow).seq, to: (extra.at(-1) as StoredRow).seq, events };
  return { kind: 'same', events };
}
