/**
 * Delivers whole transcripts to the log after the fact: what a run could not deliver
 * (the log was down), or a run made without --log. Idempotent: a line already in the log
 * is not added again, so pushing twice adds nothing. Only a transcript that verifies is
 * pushed; a torn last line (a killed writer) is left out, as every reader leaves it out.
 */
import type pg from 'pg';
import { verifyTranscript } from '../transcript.js';
import { insertRows, type InsertResult } from './store.js';
import { TranscriptTail } from './tail.js';

export interface PushResult {
  path: string;
  events: number;
  runs: string[];
  added: number;
  present: number;
  differing: InsertResult['differing'];
  tooBig: InsertResult['tooBig'];
}

export type Checked = { path: string; ok: true; events: number; runs: string[]; warnings: string[] } | { path: string; ok: false; line: number; reason: string };

/** Verifies a transcript before anything is pushed (InputError for a file that is not a transcript). */
export async function checkForPush(path: string): Promise<Checked> {
  const result = await verifyTranscript(path);
  return result.ok ? { path, ok: true, events: result.events, runs: result.runs, warnings: result.warnings } : { path, ok: false, line: result.line, reason: result.reason };
}

export async function pushTranscript(client: pg.Client, incident: string, checked: Extract<Checked, { ok: true }>): Promise<PushResult> {
  const tail = new TranscriptTail(checked.path);
  const result: PushResult = { path: checked.path, events: 0, runs: checked.runs, added: 0, present: 0, differing: [], tooBig: [] };
  try {
    for (;;) {
      const batch = await tail.next({ rows: 1000, bytes: 4 << 20 });
      if (batch.rows.length === 0) break;
      // The verified part only: a line appended since the check is the next push's.
      const rows = batch.rows.filter((row) => row.seq < checked.events);
      const inserted = await insertRows(client, incident, rows);
      result.events += rows.length;
      result.added += inserted.added;
      result.present += inserted.present;
      result.differing.push(...inserted.differing);
      result.tooBig.push(...inserted.tooBig);
      if (rows.length < batch.rows.length) break;
    }
  } finally {
    await tail.close();
  }
  return result;
}
