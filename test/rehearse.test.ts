/**
 * Rehearsal: a SQL write runs on the real target inside a transaction that is rolled back,
 * under short lock and statement timeouts, and says what it would do; what a rollback
 * cannot undo is not rehearsed, and the result says why. The client's runbook, dry run
 * with --rehearse against the seeded sandbox: Release Stuck Jobs would change 9 rows, and
 * the 9 jobs are still stuck afterwards.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { rehearseSql } from '../src/engine/lang/sql/rehearse.js';
import { loadCatalogue } from '../src/engine/lang/sql/catalogue.js';
import { readTranscript } from '../src/engine/transcript.js';
import { sandboxUrl } from '../src/engine/sandbox.js';
import type { RunEvent } from '../src/engine/events.js';
import { freshDatabase, query } from './support/database.js';
import { DRAGONFLY, freshSandboxEnv, removeSandbox } from './sandbox.helpers.js';
import { runCli, tempDir } from './runner-support.js';

const sandboxEnv: NodeJS.ProcessEnv = { ...freshSandboxEnv(), SUPABASE_DB_URL: '', RUNBOOK_DATABASE_URL: '' };
afterAll(() => removeSandbox(sandboxEnv), 60_000);

describe('rehearseSql', () => {
  it('counts what each statement would do and leaves the database as it was', async () => {
    const url = await freshDatabase('rehearse');
    await query(url, "CREATE TABLE jobs (id int, status text); INSERT INTO jobs SELECT g, 'stuck' FROM generate_series(1, 9) g; CREATE SEQUENCE s");
    const rehearsal = await rehearseSql({
      url,
      source: "-- release\nUPDATE jobs SET status = 'pending' WHERE status = 'stuck';\nDELETE FROM jobs WHERE id > 7;\nINSERT INTO jobs VALUES (current_setting('runbook.n')::int, 'new');\nSELECT nextval('s');\nUPDATE jobs SET status = 'x'",
      settings: { 'runbook.n': '10' },
    });
    expect(rehearsal.statements).toEqual([
      { index: 1, title: 'release', outcome: 'rehearsed', command: 'UPDATE', rowCount: 9 },
      { index: 2, outcome: 'rehearsed', command: 'DELETE', rowCount: 2 },
      { index: 3, outcome: 'rehearsed', command: 'INSERT', rowCount: 1 },
      { index: 4, outcome: 'not-rehearsed', why: 'nextval() advances a sequence, which a rollback does not undo' },
      { index: 5, outcome: 'not-rehearsed', why: 'it comes after statement 4, which was not rehearsed' },
    ]);
    expect(await query(url, "SELECT count(*)::int AS n FROM jobs WHERE status = 'stuck'")).toEqual([{ n: 9 }]);
    expect(await query(url, 'SELECT last_value::int AS v, is_called FROM s')).toEqual([{ v: 1, is_called: false }]);
  });

  it('never rehearses what escapes a transaction, and says why', async () => {
    const url = await freshDatabase('rehearse');
    const why = async (source: string) => (await rehearseSql({ url, source })).statements[0]?.why;
    expect(await why('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE false')).toMatch(/pg_terminate_backend\(\) acts outside the transaction/);
    expect(await why('VACUUM')).toMatch(/VACUUM.*cannot run inside a transaction/);
    expect(await why('CREATE INDEX CONCURRENTLY i ON pg_class (relname)')).toMatch(/CONCURRENTLY/);
    expect(await why("COPY (SELECT 1) TO PROGRAM 'touch /tmp/rehearsed'")).toMatch(/PROGRAM/);
    expect(await why("SELECT dblink_exec('x', 'y')")).toMatch(/dblink_exec/);
    expect(await why('NOTIFY channel')).toMatch(/NOTIFY/);
    expect(await why('BEGIN; UPDATE t SET x = 1; COMMIT')).toMatch(/BEGIN\/COMMIT/);
  });

  it('never rehearses a call that is not a read: a view or aggregate that ends sessions, a VOLATILE user function', async () => {
    const url = await freshDatabase('rehearse');
    await query(url, `CREATE TABLE t (id int, ended bool);
      CREATE VIEW victims AS SELECT pid FROM pg_stat_activity WHERE application_name = 'victim-session' AND pg_terminate_backend(pid);
      CREATE FUNCTION end_step(s int, p int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT s + pg_terminate_backend(p)::int $$;
      CREATE AGGREGATE ended(int) (sfunc = end_step, stype = int, initcond = '0');
      CREATE FUNCTION stamp() RETURNS bool LANGUAGE sql AS $$ SELECT true $$;`);
    const victim = new pg.Client({ connectionString: url, application_name: 'victim-session' });
    victim.on('error', () => {});
    await victim.connect();
    try {
      const sources = ['INSERT INTO t SELECT pid, true FROM victims', "UPDATE t SET ended = (SELECT ended(pid) > 0 FROM pg_stat_activity WHERE application_name = 'victim-session')", 'UPDATE t SET ended = stamp()'];
      const catalogue = await loadCatalogue(url, sources);
      const why = async (source: string) => (await rehearseSql({ url, source, catalogue })).statements[0];
      expect(await why(sources[0]!)).toMatchObject({ outcome: 'not-rehearsed', why: expect.stringMatching(/^it reads victims: view public\.victims: calls pg_terminate_backend\(\)/) });
      expect(await why(sources[1]!)).toMatchObject({ outcome: 'not-rehearsed', why: expect.stringMatching(/^it calls ended\(\): aggregate public\.ended\(integer\) calls end_step\(\)/) });
      expect(await why(sources[2]!)).toMatchObject({ outcome: 'not-rehearsed', why: 'it calls stamp() (VOLATILE): what that runs may not be undone by a rollback' });
      // Without the target's catalogue the built-in one judges: a function it does not know is not rehearsed either.
      expect((await rehearseSql({ url, source: sources[2]! })).statements[0]).toMatchObject({ outcome: 'not-rehearsed' });
      expect((await victim.query('SELECT 1 AS alive')).rows).toEqual([{ alive: 1 }]);
    } finally {
      await victim.end().catch(() => {});
    }
  });

  it('gives up on a lock it would wait for, under its short lock_timeout', async () => {
    const url = await freshDatabase('rehearse');
    await query(url, 'CREATE TABLE t (id int); INSERT INTO t VALUES (1)');
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE');
      const rehearsal = await rehearseSql({ url, source: 'UPDATE t SET id = 2', lockTimeoutMs: 200 });
      expect(rehearsal.statements[0]).toMatchObject({ outcome: 'failed', error: { code: '55P03' } });
    } finally {
      await holder.end();
    }
  });
});

describe('runbook run --dry-run --rehearse', () => {
  it('says Release Stuck Jobs would change 9 rows on the seeded sandbox, and the 9 jobs are still stuck', async () => {
    const transcript = join(tempDir('runbook-rehearse-'), 'rehearse.jsonl');
    const result = await runCli(['run', DRAGONFLY, '--dry-run', '--rehearse', '--var', 'GOOD_SHA=abc1234', '--var', 'timestamp=20261128193000', '--transcript', transcript], { env: sandboxEnv });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('rehearsal: UPDATE would change 9 rows');
    expect(result.stdout).toContain('rehearsal: rolled back; nothing was changed');
    const { events } = (await readTranscript(transcript)) as { events: RunEvent[] };
    const rehearsals = events.filter((e) => e.type === 'sql.rehearsal');
    // Only the write is rehearsed: the diagnostics are reads.
    expect(rehearsals).toEqual([expect.objectContaining({ cell: 'release-stuck-jobs', statements: [expect.objectContaining({ command: 'UPDATE', rowCount: 9, outcome: 'rehearsed' })] })]);
    expect(JSON.stringify(rehearsals)).not.toContain('"rows"');
    const url = sandboxUrl({ env: sandboxEnv });
    if (!url) throw new Error('the sandbox is not running after the rehearsal');
    const stuck = await query<{ n: number }>(url, "SELECT count(*)::int AS n FROM ops.jobs WHERE status = 'in_progress' AND updated_at < NOW() - INTERVAL '15 minutes'");
    expect(stuck).toEqual([{ n: 9 }]);
  }, 240_000);

  it('is refused without --dry-run, before anything starts', async () => {
    const result = await runCli(['run', DRAGONFLY, '--yes', '--rehearse'], { env: sandboxEnv });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--rehearse goes with --dry-run');
  });
});
