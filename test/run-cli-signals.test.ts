/** Interrupts and crashes: SIGINT mid-query, SIGKILL at a random moment, resume after a kill. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { killMoment } from './support/kill-moment.js';
import { describe, expect, it } from 'vitest';
import { verifyTranscript } from '../src/engine/transcript.js';
import { freshDatabase, query } from './support/database.js';
import { fixture, parseLines, runCli, startCli, tempDir } from './runner-support.js';
import type { CellFinished, RunEvent } from '../src/engine/events.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Complete lines only: a SIGKILL may leave the last one cut short. */
function completeLines(path: string): RunEvent[] {
  const text = readFileSync(path, 'utf8');
  const cut = text.lastIndexOf('\n') + 1;
  return parseLines(text.slice(0, cut));
}

describe('interrupts', () => {
  it('SIGINT during pg_sleep(60) cancels the query on the server and exits 130 with run.finished aborted', async () => {
    const db = await freshDatabase('sigint');
    const transcript = join(tempDir(), 'sleep.jsonl');
    const run = startCli(['run', fixture('sleepy.md'), '--yes', '--json', '--db', db, '--transcript', transcript]);
    await run.waitFor(/"type":"cell.started"/);
    // Wait until the server is really running the query, then interrupt.
    for (let i = 0; i < 50; i += 1) {
      const active = await query<{ n: number }>(db, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%'");
      if (active[0]?.n) break;
      await delay(100);
    }
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    expect(code).toBe(130);
    const left = await query<{ n: number }>(db, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%' AND state = 'active'");
    expect(left).toEqual([{ n: 0 }]);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(events.filter((e): e is CellFinished => e.type === 'cell.finished').map((e) => [e.cell, e.status])).toEqual([['long-sleep', 'cancelled']]);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'aborted' });
    expect(await verifyTranscript(transcript)).toMatchObject({ ok: true });
  });

  it('SIGKILL at a random moment leaves a transcript whose complete lines chain, with every finished cell seen so far', async () => {
    const db = await freshDatabase('sigkill');
    const transcript = join(tempDir(), 'killed.jsonl');
    const run = startCli(['run', fixture('slow-steps.md'), '--yes', '--allow-writes', '--json', '--db', db, '--transcript', transcript]);
    await run.waitFor(/"type":"cell.started"/);
    // The eight cells take over three seconds: a kill in the first 2.5 s lands mid-run.
    await delay(killMoment(0, 2500));
    run.child.kill('SIGKILL');
    await run.exited;
    const seen = parseLines(run.stdout().slice(0, run.stdout().lastIndexOf('\n') + 1));
    const stored = completeLines(transcript);
    const verdict = await verifyTranscript(transcript);
    expect(verdict.ok, JSON.stringify(verdict)).toBe(true);
    // Everything shown on stdout was written to the transcript first.
    expect(stored.length).toBeGreaterThanOrEqual(seen.length);
    const finished = (events: RunEvent[]) => events.filter((e) => e.type === 'cell.finished').map((e) => (e as CellFinished).cell);
    expect(finished(stored).slice(0, finished(seen).length)).toEqual(finished(seen));
    expect(stored.map((e) => e.seq)).toEqual(stored.map((_, i) => i));
    expect(stored.some((e) => e.type === 'cell.started')).toBe(true);
    expect(stored.some((e) => e.type === 'run.finished')).toBe(false);
  });

  it('a run killed with SIGKILL is resumed and finishes, with one verifiable transcript and the same run id', async () => {
    const db = await freshDatabase('resume');
    const transcript = join(tempDir(), 'resume.jsonl');
    const run = startCli(['run', fixture('slow-steps.md'), '--yes', '--allow-writes', '--json', '--db', db, '--transcript', transcript]);
    await run.waitFor(/"type":"cell.finished","run":"[^"]+","cell":"s3"/);
    run.child.kill('SIGKILL');
    await run.exited;

    const resumed = await runCli(['resume', transcript, '--yes', '--allow-writes', '--db', db]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await verifyTranscript(transcript)).toMatchObject({ ok: true });
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(new Set(events.map((e) => e.run)).size).toBe(1);
    expect(events.filter((e) => e.type === 'run.resumed')).toHaveLength(1);
    const succeeded = events.filter((e): e is CellFinished => e.type === 'cell.finished' && e.status === 'succeeded').map((e) => e.cell);
    expect(succeeded).toEqual(['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8']);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded', counts: { succeeded: 8 } });

    const again = await runCli(['resume', transcript, '--yes', '--allow-writes', '--db', db]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already finished \(succeeded\); nothing to resume/);
  });
});
