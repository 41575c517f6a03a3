/** The console while the database does not answer: said in the header for as long as it is so, and enter tries the cell again. */
import { describe, expect, it } from 'vitest';
import { reduce, reduceAll } from '../src/renderers/tui/reducer.js';
import { initialState } from '../src/renderers/tui/state.js';
import { headerLayout } from '../src/renderers/tui/components/Header.js';
import { footerLines } from '../src/renderers/tui/footer-lines.js';
import { eventMaker, started } from './tui-support.js';

const cells = [
  { id: 'contain', lang: 'sh' as const, line: 1, section: ['S'] },
  { id: 'look', lang: 'sql' as const, line: 10, section: ['S'] },
];
const down = { message: 'could not connect to postgres://u:********@db/prod: sorry, too many clients already', code: '53300', unreachable: true };

describe('console: a database that does not answer', () => {
  it('is in the header from preflight until a SQL cell runs, and a failed attempt keeps it there', () => {
    const make = eventMaker();
    const state = reduceAll(initialState({}), [
      make(started([], { cells })),
      make({ type: 'run.preflight', problems: [], database: { url: 'postgres://u:********@db/prod', reachable: false, reason: 'sorry, too many clients already', code: '53300' } }),
    ]);
    expect(headerLayout(state, 100).down).toBe('⚠ database unreachable: sorry, too many clients already — SQL cells fail until it answers; the others run');
    const shell = reduce(state, make({ type: 'cell.finished', cell: 'contain', status: 'succeeded', durationMs: 3 }));
    expect(headerLayout(shell, 100).down).toBeDefined();
    const failed = reduce(shell, make({ type: 'cell.finished', cell: 'look', status: 'failed', durationMs: 3, error: down }));
    expect(failed.databaseDown).toBe(down.message);
    const back = reduce(failed, make({ type: 'cell.finished', cell: 'look', status: 'succeeded', durationMs: 3 }));
    expect(headerLayout(back, 100).down).toBeUndefined();
    const reachable = reduce(state, make({ type: 'run.preflight', problems: [], database: { url: 'x', reachable: true } }));
    expect(headerLayout(reachable, 100).down).toBeUndefined();
  });

  it('a cell that could not connect waits with "database unreachable — enter tries again"', () => {
    const make = eventMaker();
    const state = reduce(reduceAll(initialState({}), [make(started([], { cells })), make({ type: 'cell.finished', cell: 'look', status: 'failed', durationMs: 3, error: down })]), {
      type: 'ui.ask',
      ask: { kind: 'decide', cell: 'look', attempts: 1, lastStatus: 'failed', effect: 'read', phase: 'after', unreachable: true },
    });
    expect(footerLines(state, 100).map((l) => l.text).join('\n')).toContain('database unreachable — enter tries again');
  });
});

describe('console: a cell that moved the target', () => {
  it('says so under the cell, in the words of the plain output', () => {
    const make = eventMaker();
    const state = reduceAll(initialState({}), [
      make(started([], { cells })),
      make({ type: 'cell.started', cell: 'contain', lang: 'sh', line: 1, section: ['S'], source: '. ./load_env.sh', attempt: 1 }),
      make({ type: 'target.changed', cell: 'contain', name: 'SUPABASE_DB_URL', from: 'postgres://postgres:********@127.0.0.1:5/sandbox', to: 'postgresql://postgres:********@127.0.0.1:54322/postgres', reset: true }),
    ]);
    expect(JSON.stringify(state.cells.contain?.output)).toContain('⚠ contain set SUPABASE_DB_URL to postgresql://postgres:********@127.0.0.1:54322/postgres; reset to the sandbox for this drill');
  });
});
