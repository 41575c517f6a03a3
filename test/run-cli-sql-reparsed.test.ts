/**
 * Second-order injection: a placeholder inside a body the server parses again cannot be
 * bound by text. The run refuses it before anything runs (exit 2), lint reports it, and
 * current_setting('runbook.<name>') is the safe way in.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshDatabase, query } from './support/database.js';
import { parseLines, runCli, tempDir } from './runner-support.js';

const HOSTILE = "x'; DELETE FROM victim; --";

function runbookWith(sql: string): string {
  const file = join(tempDir(), 'reparsed.md');
  writeFileSync(file, `# Notes\n\n## Step\n\n\`\`\`sql {name=step}\n${sql}\n\`\`\`\n`);
  return file;
}

async function victimDatabase(): Promise<string> {
  const db = await freshDatabase('reparsed');
  await query(db, "CREATE TABLE victim (id int); INSERT INTO victim VALUES (1), (2); CREATE TABLE t (id int, v text); INSERT INTO t VALUES (1, 'a'), (2, 'b')");
  return db;
}

describe('placeholders the server parses again', () => {
  it.each([
    ['an EXECUTE string in a DO block', "DO $$ BEGIN EXECUTE 'UPDATE t SET v = ''<NOTE>'' WHERE id = 1'; END $$;", 'a dollar-quoted body ($$ … )'],
    ['a dollar-quoted string', 'SELECT $$prefix-<NOTE>$$;', 'a dollar-quoted body ($$ … )'],
    ['a query string given to ts_stat', "SELECT * FROM ts_stat('SELECT to_tsvector(''<NOTE>'')');", 'a query string given to ts_stat()'],
    ['a query built by concatenation for query_to_xml', "SELECT query_to_xml('SELECT v FROM t WHERE v = ''' || '<NOTE>' || '''', true, false, '');", 'an argument of query_to_xml()'],
    ['a query built by concatenation for ts_stat', "SELECT * FROM ts_stat('SELECT to_tsvector(''' || '<NOTE>' || ''')');", 'an argument of ts_stat()'],
    ['a quoted function name', `SELECT "query_to_xml"('SELECT ''<NOTE>''', true, false, '');`, 'an argument of query_to_xml()'],
    ['format() inside the argument', "SELECT query_to_xml(format('SELECT %s', '<NOTE>'), true, false, '');", 'an argument of query_to_xml()'],
  ])('refuses %s: exit 2 before the run, nothing changed', async (_what, sql, where) => {
    const db = await victimDatabase();
    const transcript = join(tempDir(), 't.jsonl');
    const result = await runCli(['run', runbookWith(sql), '--yes', '--allow-writes', '--db', db, '--var', `NOTE=${HOSTILE}`, '--transcript', transcript]);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain(`<NOTE> at line 1 of the cell sits in ${where}, which the server parses again as SQL`);
    expect(result.stderr).toContain("current_setting('runbook.note')");
    expect(parseLines(readFileSync(transcript, 'utf8')).filter((e) => e.type === 'cell.started')).toEqual([]);
    expect(await query(db, 'SELECT count(*)::int AS n FROM victim')).toEqual([{ n: 2 }]);
    expect(await query(db, 'SELECT v FROM t ORDER BY id')).toEqual([{ v: 'a' }, { v: 'b' }]);
  });

  it("current_setting('runbook.note') carries the value byte for byte into a DO block", async () => {
    const db = await victimDatabase();
    const sql = "DO $$ BEGIN EXECUTE format('UPDATE t SET v = %L WHERE id = 1', current_setting('runbook.note')); END $$;";
    const result = await runCli(['run', runbookWith(sql), '--yes', '--allow-writes', '--db', db, '--var', `NOTE=${HOSTILE}`, '--transcript', join(tempDir(), 't.jsonl')]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(await query(db, 'SELECT v FROM t ORDER BY id')).toEqual([{ v: HOSTILE }, { v: 'b' }]);
    expect(await query(db, 'SELECT count(*)::int AS n FROM victim')).toEqual([{ n: 2 }]);
  });

  it('lint: an error for the SQL, and for psql -c "… \'<X>\' …"', async () => {
    const file = join(tempDir(), 'lint.md');
    writeFileSync(file, [
      '# Lint', '', '## Sql', '', '```sql {name=body}', "DO $$ BEGIN RAISE NOTICE '%', '<NOTE>'; END $$;", '```', '',
      '## Shell', '', '```sh {name=psql-c}', `psql "$DATABASE_URL" -c "UPDATE t SET v = '<NOTE>'"`, '```', '',
    ].join('\n'));
    const result = await runCli(['lint', file]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toContain(`${file}:6:32: error: SQL in cell body: <NOTE> at line 1 of the cell sits in a dollar-quoted body ($$ … ), which the server parses again as SQL`);
    expect(result.stdout).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:12:\\d+: error: cell psql-c: <NOTE> at line 1 of the cell sits in the program text of psql -c.*psql -v note="\\$RUNBOOK_VAR_NOTE" <<'EOF' … :'note' … EOF \\(placeholder-reparsed\\)`));
  });
});
