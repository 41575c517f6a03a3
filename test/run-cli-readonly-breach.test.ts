/**
 * `readonly` never relaxes: a readonly SQL cell runs inside one READ ONLY transaction, which
 * stops table writes and nothing else. Transaction and session control that would leave it,
 * and calls that act outside any transaction, are refused before the run (exit 2, nothing
 * changed), and lint reports them, against a real database, unattended, without --allow-writes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshDatabase, query } from './support/database.js';
import { parseLines, runCli, tempDir } from './runner-support.js';

function runbookWith(sql: string): string {
  const file = join(tempDir(), 'ro.md');
  writeFileSync(file, `# Read only\n\n## Step\n\n\`\`\`sql {name=step readonly}\n${sql}\n\`\`\`\n`);
  return file;
}

async function victimDatabase(): Promise<string> {
  const db = await freshDatabase('robreach');
  await query(db, 'CREATE TABLE victim (id int); INSERT INTO victim VALUES (1), (2)');
  return db;
}

describe('a readonly SQL cell that would leave its READ ONLY transaction', () => {
  it.each([
    ['COMMIT, then a write', 'COMMIT; BEGIN READ WRITE; DELETE FROM victim; COMMIT;', 'COMMIT is transaction control'],
    ['SET transaction_read_only = off first', 'SET transaction_read_only = off;\nDELETE FROM victim;', 'SET transaction_read_only changes whether the transaction is read-only'],
    ['SET default_transaction_read_only, COMMIT', 'SET default_transaction_read_only = off; COMMIT; DELETE FROM victim;', 'SET default_transaction_read_only'],
    ['set_config, COMMIT', "SELECT set_config('default_transaction_read_only', 'off', false); COMMIT; DELETE FROM victim;", "set_config('default_transaction_read_only', …)"],
    ['SESSION CHARACTERISTICS', 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; ROLLBACK; DELETE FROM victim;', 'SET SESSION CHARACTERISTICS is transaction control'],
    ['START TRANSACTION READ WRITE after ROLLBACK', 'ROLLBACK; START TRANSACTION READ WRITE; DELETE FROM victim; COMMIT;', 'ROLLBACK is transaction control'],
  ])('%s: refused before the run (exit 2), nothing deleted', async (_what, sql, why) => {
    const db = await victimDatabase();
    const transcript = join(tempDir(), 't.jsonl');
    const result = await runCli(['run', runbookWith(sql), '--yes', '--db', db, '--transcript', transcript]);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain('cell step is marked readonly, but statement 1 (line 1 of the cell)');
    expect(result.stderr).toContain(why);
    expect(result.stderr).toContain('drop readonly so the cell is judged (and confirmed) as the write it is');
    if (existsSync(transcript)) expect(parseLines(readFileSync(transcript, 'utf8')).filter((e) => e.type === 'cell.started')).toEqual([]);
    expect(await query(db, 'SELECT count(*)::int AS n FROM victim')).toEqual([{ n: 2 }]);
  });

  it('pg_terminate_backend in a readonly cell: refused, the other session survives', async () => {
    const db = await victimDatabase();
    const victim = new pg.Client({ connectionString: db, application_name: 'ro-victim' });
    victim.on('error', () => {});
    await victim.connect();
    try {
      const sql = "SELECT count(*) FROM pg_stat_activity\nWHERE application_name = 'ro-victim' AND pg_terminate_backend(pid);";
      const result = await runCli(['run', runbookWith(sql), '--yes', '--db', db, '--transcript', join(tempDir(), 't.jsonl')]);
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr).toContain('pg_terminate_backend() acts outside the transaction');
      expect((await victim.query('SELECT 1 AS alive')).rows).toEqual([{ alive: 1 }]);
    } finally {
      await victim.end().catch(() => {});
    }
  });

  it('COPY … TO PROGRAM in a readonly cell: refused, the program never runs', async () => {
    const db = await victimDatabase();
    const marker = join(tempDir(), 'ran');
    const result = await runCli(['run', runbookWith(`COPY (SELECT 1) TO PROGRAM 'touch ${marker}';`), '--yes', '--db', db, '--transcript', join(tempDir(), 't.jsonl')]);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain('COPY … PROGRAM runs a program on the server');
    expect(existsSync(marker)).toBe(false);
  });

  it('a readonly cell of SELECTs and an ordinary SET still runs unattended', async () => {
    const db = await victimDatabase();
    const result = await runCli(['run', runbookWith("SET statement_timeout = '5s';\nSELECT count(*) FROM victim;"), '--yes', '--db', db, '--transcript', join(tempDir(), 't.jsonl')]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('lint: an error at the statement, with the fix', async () => {
    const file = join(tempDir(), 'lint.md');
    writeFileSync(file, '# Lint\n\n## Step\n\n```sql {name=step readonly}\nSELECT 1;\nCOMMIT;\nDELETE FROM victim;\n```\n');
    const result = await runCli(['lint', file]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toContain(`${file}:7:1: error: cell step is marked readonly, but statement 2 (line 2 of the cell): COMMIT is transaction control`);
  });

  it('list --json: the cell is the write it is, with the refusal', async () => {
    const result = await runCli(['list', '--json', runbookWith('COMMIT; DELETE FROM victim;')]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const cell = JSON.parse(result.stdout).cells[0];
    expect(cell.effect ?? cell.plan?.effect).toBe('write');
  });
});
