/**
 * A slow log never holds a cell back: while the log cannot take rows, the run goes on, the
 * operator reads "log: behind N events", and once the log takes rows again it catches up.
 * (The owner holds a SHARE lock on the table, so every insert waits: a role that may only
 * INSERT and SELECT cannot take that lock, and inserts share no lock a responder can hold.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { parseLines, runCli, tempDir } from './runner-support.js';
import { freshLogDatabase, GATED, logRows, openGate, transcriptLinesOf, until, watchCli } from './log-support.js';

describe('a slow log', () => {
  it('the run goes on, says "log: behind N events", and catches up when the log takes rows again', async () => {
    const log = await freshLogDatabase();
    expect((await runCli(['log', 'init', '--log', log])).code).toBe(0);
    const blocker = new pg.Client({ connectionString: log });
    await blocker.connect();
    try {
      await blocker.query('BEGIN; LOCK TABLE runbook.events IN SHARE MODE');
      const dir = tempDir('runbook-log-slow-');
      const gates = { GATE_ONE: join(dir, 'one'), GATE_TWO: join(dir, 'two') };
      const transcript = join(dir, 'slow.jsonl');
      const run = watchCli(['run', GATED, '--yes', '--transcript', transcript, '--log', log, '--incident', 'INC-slow'], { env: gates });
      await run.waitFor(/^log: behind \d+ events$/m, 'stderr');
      // The cells go on regardless: the first one finishes while the log has nothing.
      const finished = () => parseLines(readFileSync(transcript, 'utf8')).some((e) => e.type === 'cell.finished' && e.cell === 'before');
      await until(finished, 'the first cell finished');
      expect(await logRows(log, 'INC-slow')).toEqual([]);
      const events = parseLines(readFileSync(transcript, 'utf8'));
      const behind = Number(/^log: behind (\d+) events$/m.exec(run.stderr())?.[1]);
      expect(behind).toBeGreaterThan(0);
      expect(behind).toBeLessThanOrEqual(events.length);

      await blocker.query('COMMIT');
      await until(async () => (await logRows(log, 'INC-slow')).length >= behind, 'the log caught up');
      await run.waitFor(/^log: caught up, delivering to incident INC-slow$/m, 'stderr');
      openGate(gates.GATE_ONE);
      openGate(gates.GATE_TWO);
      expect((await run.exited).code, run.stderr()).toBe(0);
      expect(run.stderr()).toContain('log: every event delivered to incident INC-slow');
      expect((await logRows(log, 'INC-slow')).map((r) => r.line)).toEqual(transcriptLinesOf(readFileSync(transcript, 'utf8')));
    } finally {
      await blocker.end();
    }
  });
});
