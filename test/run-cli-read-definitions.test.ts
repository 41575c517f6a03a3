/**
 * A read is judged by what runs, not by the names a statement spells: an aggregate by its
 * transition and final functions (its own provolatile is 'i' whatever they do), a view by
 * its query, a SQL function by its body, each in turn. Against a real, non-sandbox
 * database, unattended and without --allow-writes, a SELECT that would end another
 * session through one of them is a write: refused before anything runs, and the other
 * session is still alive.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshDatabase, query } from './support/database.js';
import { parseLines, runCli, tempDir } from './runner-support.js';

const VICTIM = "application_name = 'victim-session'";

const DEFINITIONS = `
  CREATE FUNCTION public.end_step(state int, p int) RETURNS int LANGUAGE sql
    AS $$ SELECT state + CASE WHEN pg_terminate_backend(p) THEN 1 ELSE 0 END $$;
  CREATE AGGREGATE public.ended(int) (sfunc = public.end_step, stype = int, initcond = '0');
  CREATE FUNCTION public.calm_step(state int, p int) RETURNS int LANGUAGE sql IMMUTABLE
    AS $$ SELECT state + CASE WHEN pg_cancel_backend(p) OR pg_terminate_backend(p) THEN 1 ELSE 0 END $$;
  CREATE AGGREGATE public.calmly_ended(int) (sfunc = public.calm_step, stype = int, initcond = '0');
  CREATE VIEW public.victims AS SELECT pid, pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE ${VICTIM};
  CREATE VIEW public.victim_count AS SELECT count(*) AS n FROM public.victims;
  CREATE FUNCTION public.pure_end(p int) RETURNS bool LANGUAGE sql IMMUTABLE AS $$ SELECT pg_terminate_backend(p) $$;
  CREATE VIEW public.quiet AS SELECT pid FROM pg_stat_activity WHERE ${VICTIM} AND public.pure_end(pid);
  CREATE FUNCTION public.stable_plpgsql(p int) RETURNS bool LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN pg_terminate_backend(p); END $$;
  CREATE TABLE public.guarded (pid int);
  ALTER TABLE public.guarded ENABLE ROW LEVEL SECURITY;
  CREATE POLICY see_all ON public.guarded FOR SELECT USING (pg_terminate_backend(pid));
  CREATE OPERATOR public.!!! (rightarg = int, function = public.pure_end);
  CREATE VIEW public.harmless AS SELECT pid, lower(application_name) AS app FROM pg_stat_activity;
  CREATE FUNCTION public.twice(x int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT x * 2 $$;
  CREATE AGGREGATE public.doubled_sum(int) (sfunc = int4pl, stype = int, initcond = '0');`;

function runbookWith(sql: string, attributes = ''): string {
  const file = join(tempDir(), 'reads.md');
  writeFileSync(file, `# Reads?\n\n## Step\n\n\`\`\`sql {name=step${attributes}}\n${sql}\n\`\`\`\n`);
  return file;
}

async function withVictim<T>(db: string, use: (alive: () => Promise<boolean>) => Promise<T>): Promise<T> {
  const victim = new pg.Client({ connectionString: db, application_name: 'victim-session' });
  victim.on('error', () => {});
  await victim.connect();
  try {
    return await use(async () => {
      try {
        return (await victim.query('SELECT 1 AS alive')).rows[0]?.alive === 1;
      } catch {
        return false;
      }
    });
  } finally {
    await victim.end().catch(() => {});
  }
}

describe('what runs inside a name decides whether a SELECT reads', () => {
  it.each([
    ['a user aggregate whose transition function ends sessions', `SELECT public.ended(pid) FROM pg_stat_activity WHERE ${VICTIM};`, /aggregate public\.ended\(integer\) calls end_step\(\) \(VOLATILE\)/],
    ['an aggregate whose IMMUTABLE SQL transition function cancels sessions', `SELECT calmly_ended(pid) FROM pg_stat_activity WHERE ${VICTIM};`, /calm_step\(\): function public\.calm_step\(state integer, p integer\): calls pg_(cancel|terminate)_backend\(\), which acts outside the transaction/],
    ['a view that calls pg_terminate_backend', 'SELECT * FROM victims;', /reads victims: view public\.victims: calls pg_terminate_backend\(\), which acts outside the transaction/],
    ['a view of that view', 'SELECT n FROM public.victim_count;', /reads victim_count: view public\.victim_count: reads victims: view public\.victims/],
    ['a view that calls an IMMUTABLE SQL function ending sessions', 'SELECT * FROM quiet;', /reads quiet: view public\.quiet: calls pure_end\(\): function public\.pure_end\(p integer\): calls pg_terminate_backend\(\)/],
    ['a STABLE PL/pgSQL function', `SELECT stable_plpgsql(pid) FROM pg_stat_activity WHERE ${VICTIM};`, /function public\.stable_plpgsql\(p integer\) is written in plpgsql, whose body is not judged/],
    ['an operator whose IMMUTABLE SQL function ends sessions', `SELECT !!! pid FROM pg_stat_activity WHERE ${VICTIM};`, /uses the operator !!!: operator !!! calls pure_end\(\): function public\.pure_end\(p integer\): calls pg_terminate_backend\(\)/],
    ['a table whose row-security policy ends sessions', 'SELECT * FROM guarded;', /reads guarded: table public\.guarded: calls pg_terminate_backend\(\)/],
  ])('%s: a write, refused unattended without --allow-writes; the other session lives', async (_what, sql, reason) => {
    const db = await freshDatabase('reads');
    await query(db, DEFINITIONS);
    await query(db, 'INSERT INTO guarded SELECT pid FROM pg_stat_activity');
    await withVictim(db, async (alive) => {
      const transcript = join(tempDir(), 't.jsonl');
      const result = await runCli(['run', runbookWith(sql), '--yes', '--db', db, '--transcript', transcript]);
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr).toMatch(/write cell\(s\) against .* refused without --allow-writes: step/);
      const started = parseLines(readFileSync(transcript, 'utf8')).find((e) => e.type === 'run.started') as { cells: { plan: { effectReason: string } }[] };
      expect(started.cells[0]!.plan.effectReason).toMatch(reason);
      expect(parseLines(readFileSync(transcript, 'utf8')).filter((e) => e.type === 'cell.started')).toEqual([]);
      expect(await alive()).toBe(true);
    });
  });

  it('a readonly cell does not make them reads: READ ONLY stops table writes, not what a view or aggregate calls', async () => {
    const db = await freshDatabase('reads');
    await query(db, DEFINITIONS);
    await withVictim(db, async (alive) => {
      for (const sql of ['SELECT * FROM victims;', `SELECT ended(pid) FROM pg_stat_activity WHERE ${VICTIM};`]) {
        const transcript = join(tempDir(), 't.jsonl');
        const result = await runCli(['run', runbookWith(sql, ' readonly'), '--yes', '--db', db, '--transcript', transcript]);
        expect(result.code, result.stdout + result.stderr).toBe(2);
        const started = parseLines(readFileSync(transcript, 'utf8')).find((e) => e.type === 'run.started') as { cells: { plan: { effectReason: string } }[] };
        expect(started.cells[0]!.plan.effectReason).toMatch(/^readonly attribute does not hold: (reads victims|calls ended\(\))/);
        expect(await alive()).toBe(true);
      }
      // A readonly cell that only reads is still a read.
      const plain = await runCli(['run', runbookWith('SELECT count(*) FROM harmless;', ' readonly'), '--yes', '--db', db, '--transcript', join(tempDir(), 't.jsonl')]);
      expect(plain.code, plain.stdout + plain.stderr).toBe(0);
    });
  });

  it('views, aggregates and SQL functions that only read still run unattended', async () => {
    const db = await freshDatabase('reads');
    await query(db, DEFINITIONS);
    await withVictim(db, async (alive) => {
      const sql = 'SELECT count(*), doubled_sum(pid), max(twice(pid)) FROM harmless;';
      const result = await runCli(['run', runbookWith(sql), '--yes', '--db', db, '--transcript', join(tempDir(), 't.jsonl')]);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(await alive()).toBe(true);
    });
  });
});
