/** Splitting a SQL cell with the real PostgreSQL parser (libpg-query). */
import { describe, expect, it } from 'vitest';
import { parseCellSql, splitStatements, sqlSyntaxError, SqlSyntaxError } from '../src/engine/lang/sql/statements.js';

describe('splitStatements', () => {
  it('keeps a dollar-quoted plpgsql body whole and ignores ; inside comments and strings', async () => {
    const sql = [
      '-- create the helper; idempotent',
      'CREATE OR REPLACE FUNCTION bump() RETURNS int AS $body$',
      'BEGIN',
      '  UPDATE counters SET n = n + 1; -- one; two',
      '  RETURN 1;',
      'END',
      '$body$ LANGUAGE plpgsql;',
      "/* check; it */ SELECT 'a;b' AS semi, $$x;y$$ AS dollars;",
      'SELECT 2 -- trailing; comment',
    ].join('\n');
    const statements = await splitStatements(sql);
    expect(statements.map((s) => [s.line, s.column, s.title])).toEqual([
      [2, 1, 'create the helper; idempotent'],
      [8, 17, 'check; it'],
      [9, 1, undefined],
    ]);
    expect(statements[0]!.text).toBe(sql.split('\n').slice(1, 7).join('\n').replace(/;$/, ''));
    expect(statements[1]!.text).toBe("SELECT 'a;b' AS semi, $$x;y$$ AS dollars");
    expect(statements[2]!.text).toBe('SELECT 2 -- trailing; comment');
    for (const statement of statements) expect(sql.slice(statement.offset, statement.offset + statement.text.length)).toBe(statement.text);
  });

  it('counts offsets in characters, not UTF-8 bytes', async () => {
    const sql = "SELECT 'héllo → wörld';\nSELECT 'ok';";
    const [, second] = await splitStatements(sql);
    expect(second).toMatchObject({ text: "SELECT 'ok'", offset: sql.indexOf("SELECT 'ok'"), line: 2, column: 1 });
  });

  it('joins a multi-line leading comment into one title', async () => {
    const [statement] = await splitStatements('-- Stuck jobs\n-- older than 10 minutes\nSELECT 1');
    expect(statement!.title).toBe('Stuck jobs older than 10 minutes');
  });

  it('parses cells that still hold <NAME> placeholders, as identifiers or literals', async () => {
    const statements = await splitStatements("DELETE FROM <table_name> WHERE created_at < now() - interval <window> AND sha = '<GOOD_SHA>';");
    expect(statements).toHaveLength(1);
    expect(statements[0]!.text).toContain('<table_name>');
  });

  it('returns nothing for a cell of only comments or blanks', async () => {
    expect(await splitStatements('-- nothing to run\n')).toEqual([]);
    expect(await splitStatements('  \n')).toEqual([]);
  });

  it('throws SqlSyntaxError at the line and column within the cell', async () => {
    const error = await splitStatements('SELECT 1;\n  SELEC 2;').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SqlSyntaxError);
    expect(error).toMatchObject({ line: 2, column: 3, offset: 12 });
    expect((error as Error).message).toMatch(/syntax error at or near "SELEC"/);
  });
});

describe('sqlSyntaxError', () => {
  it('is undefined for valid SQL and places an unterminated string', async () => {
    expect(await sqlSyntaxError('SELECT 1; SELECT 2')).toBeUndefined();
    expect(await sqlSyntaxError("SELECT 1;\nSELECT 'abc")).toEqual({ message: "unterminated quoted string at or near \"'abc\"", line: 2, column: 8 });
  });
});

describe('parseCellSql', () => {
  it('parses a text once while it is among the last 256 K characters parsed, and shares a frozen list of statements', async () => {
    const sql = 'SELECT 1 AS kept; SELECT 2';
    const first = await parseCellSql(sql);
    expect(await parseCellSql(sql)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    // Frozen to the leaves: a reader that wrote into a shared tree would change every later reader's.
    const tree = first[0]!.stmt as Record<string, Record<string, unknown>>;
    expect(() => { tree.SelectStmt!.targetList = []; }).toThrow(TypeError);
    expect(() => { (first[0] as { start: number }).start = 99; }).toThrow(TypeError);
    // A syntax error is not kept: each call still throws with its position.
    await expect(parseCellSql('SELECT (')).rejects.toBeInstanceOf(SqlSyntaxError);
    await expect(parseCellSql('SELECT (')).rejects.toBeInstanceOf(SqlSyntaxError);
    // The cache is bounded: 300 K characters of other SQL push it out, and it is parsed afresh.
    const filler = `SELECT '${'x'.repeat(1000)}'`;
    for (let i = 0; i < 300; i += 1) await parseCellSql(`${filler} AS c${i}`);
    const again = await parseCellSql(sql);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});
