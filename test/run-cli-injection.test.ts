/** Values are bound, never pasted: hostile --var values change nothing and run nothing. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshDatabase, query } from './support/database.js';
import { fixture, parseLines, runCli, tempDir } from './runner-support.js';

describe('injection through --var', () => {
  it("SQL: GOOD_SHA=\"x'; DROP TABLE ops.jobs; --\" is a literal; the table survives", async () => {
    const db = await freshDatabase('inject');
    await query(db, "CREATE SCHEMA ops; CREATE TABLE ops.jobs (id int); INSERT INTO ops.jobs VALUES (1), (2)");
    const value = "x'; DROP TABLE ops.jobs; --";
    const transcript = join(tempDir(), 'sql.jsonl');
    const result = await runCli(['run', fixture('injection.md'), '--yes', '--allow-writes', '--only', 'sql-sha', '--db', db, '--var', `GOOD_SHA=${value}`, '--transcript', transcript]);
    expect(result.code, result.stderr).toBe(0);
    const sqlResult = parseLines(readFileSync(transcript, 'utf8')).find((e) => e.type === 'sql.result');
    expect(sqlResult).toMatchObject({ rows: [[value, '2']] });
    expect(await query(db, 'SELECT count(*)::int AS n FROM ops.jobs')).toEqual([{ n: 2 }]);
  });

  it("sh: GOOD_SHA='$(touch /tmp/pwned-…); x' is echoed, not executed", async () => {
    const marker = `/tmp/pwned-${randomBytes(4).toString('hex')}`;
    rmSync(marker, { force: true });
    const value = `$(touch ${marker}); x`;
    const transcript = join(tempDir(), 'sh.jsonl');
    const result = await runCli(['run', fixture('injection.md'), '--yes', '--only', 'sh-sha', '--var', `GOOD_SHA=${value}`, '--transcript', transcript]);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(marker)).toBe(false);
    const output = parseLines(readFileSync(transcript, 'utf8')).filter((e) => e.type === 'cell.output').map((e) => e.data).join('');
    expect(output).toBe(`deploying ${value}\n`);
  });
});
