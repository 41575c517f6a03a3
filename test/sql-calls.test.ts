/**
 * calls() of a frozen tree (what the parse cache hands out) is walked once and shared;
 * a tree that is not frozen could change, so it is walked every time.
 */
import { describe, expect, it } from 'vitest';
import { calls } from '../src/engine/lang/sql/calls.js';
import { parseCellSql } from '../src/engine/lang/sql/statements.js';
import { parseSql } from '../src/engine/lang/sql/pg-parser.js';

describe('calls', () => {
  it('walks a frozen (cached) tree once: the same answer object, itself frozen', async () => {
    const [statement] = await parseCellSql('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE a ~ b');
    const first = calls(statement!.stmt);
    expect(first.functions).toEqual(['pg_terminate_backend']);
    expect(first.operators).toEqual(['~']);
    expect(first.relations).toEqual(['pg_stat_activity']);
    expect(calls(statement!.stmt)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.functions)).toBe(true);
  });

  it('walks a tree that is not frozen afresh, so a changed tree is seen as it is now', async () => {
    const [statement] = await parseSql('SELECT now()');
    const tree = statement!.stmt as { SelectStmt: { targetList: { ResTarget: { val: { FuncCall: { funcname: { String: { sval: string } }[] } } } }[] } };
    expect(calls(tree).functions).toEqual(['now']);
    tree.SelectStmt.targetList[0]!.ResTarget.val.FuncCall.funcname[0]!.String.sval = 'pg_terminate_backend';
    expect(calls(tree).functions).toEqual(['pg_terminate_backend']);
  });
});
