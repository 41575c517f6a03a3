/**
 * Read-only cannot be talked around: against a real database, unattended and without
 * --allow-writes, transaction control and VOLATILE calls (even inside a query string) are
 * writes, refused before anything runs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshDatabase, query } from './support/database.js';
import { runCli, tempDir } from './runner-support.js';

function runbookWith(sql: string): string {
  const file = join(tempDir(), 'ro.md');
  writeFileSync(file, `# Read only?\n\n## Step\n\n\`\`\`sql {name=step}\n${sql}\n\`\`\`\n`);
  return file;
}

describe('read-only against production, unattended without --allow-writes', () => {
  it('COMMIT; BEGIN READ WRITE; SELECT public.sneaky(); COMMIT is a write: refused, nothing committed', async () => {
    const db = await freshDatabase('sneaky');
    await query(db, `CREATE TABLE victim (id int); INSERT INTO victim VALUES (1), (2);
      CREATE FUNCTION public.sneaky() RETURNS int LANGUAGE sql AS 'DELETE FROM victim RETURNING 1'`);
    const result = await runCli(['run', runbookWith('COMMIT; BEGIN READ WRITE; SELECT public.sneaky(); COMMIT;'), '--yes', '--db', db, '--transcript', join(tempDir(), 't.jsonl')]);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toMatch(/write cell\(s\) against .* refused without --allow-writes: step/);
    expect(await query(db, 'SELECT count(*)::int AS n FROM victim')).toEqual([{ n: 2 }]);
  });

  it('a VOLATILE function the target defines is a write even in a plain SELECT', async () => {
    const db = await freshDatabase('sneaky2');
    await query(db, `CREATE TABLE victim (id int); INSERT INTO victim VALUES (1);
      CREATE FUNCTION public.sneaky() RETURNS int LANGUAGE sql AS 'DELETE FROM victim RETURNING 1'`);
    const result = await runCli(['run', runbookWith('SELECT public.sneaky();'), '--yes', '--db', db, '--transcript', join(tempDir(), 't.jsonl')]);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(await query(db, 'SELECT count(*)::int AS n FROM victim')).toEqual([{ n: 1 }]);
  });

  it('ts_stat($q$… pg_terminate_backend …$q$) is a write: refused, the session survives', async () => {
    const db = await freshDatabase('tsstat');
    const victim = new pg.Client({ connectionString: db, application_name: 'victim-session' });
    victim.on('error', () => {});
    await victim.connect();
    try {
      const sql = "SELECT * FROM ts_stat($q$SELECT to_tsvector('x') FROM pg_stat_activity WHERE application_name = 'victim-session' AND pg_terminate_backend(pid)$q$);";
      const result = await runCli(['run', runbookWith(sql), '--yes', '--db', db, '--transcript', join(tempDir(), 't.jsonl')]);
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect((await victim.query('SELECT 1 AS alive')).rows).toEqual([{ alive: 1 }]);
    } finally {
      await victim.end().catch(() => {});
    }
  });

  it('a plain SELECT of STABLE and IMMUTABLE functions still runs unattended', async () => {
    const db = await freshDatabase('plain');
    const result = await runCli(['run', runbookWith("SELECT count(*), now() IS NOT NULL, lower('X') FROM pg_class;"), '--yes', '--db', db, '--transcript', join(tempDir(), 't.jsonl')]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });
});
