/**
 * The binder's lexer against PostgreSQL's: where they would cut the text differently (an
 * E'…' string continued on the next line, where the server keeps its escapes), a value could
 * end a string the binder never saw and run as SQL. PostgreSQL's scanner checks every bound
 * value; a disagreement refuses the cell before anything runs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshDatabase, query } from './support/database.js';
import { parseLines, runCli, tempDir } from './runner-support.js';

const INJECTED = ';CREATE TABLE pwned (id int);--';

function runbookWith(sql: string): string {
  const file = join(tempDir(), 'lexing.md');
  writeFileSync(file, `# Notes\n\n## Step\n\n\`\`\`sql {name=step}\n${sql}\n\`\`\`\n`);
  return file;
}

async function pwned(db: string): Promise<boolean> {
  const rows = await query<{ t: string | null }>(db, "SELECT to_regclass('public.pwned')::text AS t");
  return rows[0]?.t !== null;
}

describe('PostgreSQL lexes around every bound value', () => {
  it.each([
    ['an E string continued on the next line', "SELECT E'abc'\n'\\' <NOTE> --' AS x;", [], 'NOTE', 2],
    ['the same, with writes allowed', "SELECT E'abc'\n'\\' <NOTE> --' AS x;", ['--allow-writes'], 'NOTE', 2],
    ['a value with a backslash that turns the next line into an escaped continuation', "SELECT <A>\n'\\' <NOTE> --' AS x;", ['--allow-writes'], 'A', 1],
  ])('%s: refused before the run (exit 2), the injected table never exists', async (_what, sql, flags, name, line) => {
    const db = await freshDatabase('lexing');
    const transcript = join(tempDir(), 't.jsonl');
    const vars = ['--var', `NOTE=${INJECTED}`, '--var', 'A=x\\'];
    const result = await runCli(['run', runbookWith(sql), '--yes', ...flags, '--db', db, ...vars, '--transcript', transcript]);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain(`<${name}> at line ${line} of the cell: PostgreSQL reads it inside a string continued across a line break`);
    expect(parseLines(readFileSync(transcript, 'utf8')).filter((e) => e.type === 'cell.started')).toEqual([]);
    expect(await pwned(db)).toBe(false);
  });

  it('lint: an error at the placeholder, whatever the value will be', async () => {
    const file = runbookWith("SELECT E'abc'\n'\\' <NOTE> --' AS x;");
    const result = await runCli(['lint', file]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toContain(`${file}:7:5: error: SQL in cell step: <NOTE> at line 2 of the cell: PostgreSQL reads it inside a string continued across a line break`);
    expect(result.stdout).toContain('(placeholder-unbindable)');
    const clean = await runCli(['lint', runbookWith("SELECT E'abc' || '\\' || '<NOTE>' AS x;")]);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
  });

  it('the same value in a string PostgreSQL and the binder agree on arrives as data', async () => {
    const db = await freshDatabase('lexing');
    const transcript = join(tempDir(), 't.jsonl');
    const result = await runCli(['run', runbookWith("SELECT E'abc' || '\\' || '<NOTE>' AS x;"), '--yes', '--db', db, '--var', `NOTE=${INJECTED}`, '--transcript', transcript]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(parseLines(readFileSync(transcript, 'utf8')).find((e) => e.type === 'sql.result')).toMatchObject({ rows: [[`abc\\${INJECTED}`]] });
    expect(await pwned(db)).toBe(false);
  });
});
