import { describe, expect, it } from 'vitest';
import { reduce, reduceAll } from '../src/renderers/tui/reducer.js';
import { budgetFor, initialState, sectionKey, type ConsoleState } from '../src/renderers/tui/state.js';
import { outputLines } from '../src/renderers/tui/lines.js';
import { eventMaker, started } from './tui-support.js';

const cells = [{ id: 'a', section: ['Containment (< 2 min)'] }, { id: 'b' }, { id: 'c' }];

function running(cap?: number): { state: ConsoleState; make: ReturnType<typeof eventMaker> } {
  const make = eventMaker();
  const state = reduceAll(initialState({ outputCap: cap }), [
    make(started(cells, { budgets: [{ section: ['Containment (< 2 min)'], budgetMs: 120_000 }], escalation: 'page the lead' })),
    make({ type: 'cell.started', cell: 'a', lang: 'sh', line: 1, section: ['Containment (< 2 min)'], source: 'echo hi', attempt: 1 }),
  ]);
  return { state, make };
}

describe('console reducer', () => {
  it('builds the outline, header and budgets from run.started alone (replay)', () => {
    const { state } = running();
    expect(state.order).toEqual(['a', 'b', 'c']);
    expect(state.title).toBe('Drill');
    expect(state.actor).toBe('alice');
    expect(state.target?.kind).toBe('sandbox');
    expect(state.escalation).toBe('page the lead');
    expect(budgetFor(state, ['Containment (< 2 min)'])?.budgetMs).toBe(120_000);
    expect(state.sectionStartedAt[sectionKey(['Containment (< 2 min)'])]).toBe(state.startedAt! + 100);
  });

  it('a resumed run after its history: the clock keeps the first start, a killed attempt is pending again with its output, a quit run is running again', () => {
    const { state, make } = running();
    const out = reduce(state, make({ type: 'cell.output', cell: 'a', stream: 'stdout', data: 'before the kill\n' }));
    const quit = reduce(out, make({ type: 'run.finished', status: 'aborted', durationMs: 5, counts: {} }));
    const back = reduce(quit, make({ type: 'run.resumed', actor: 'alice', host: 'h', argv: [] }));
    expect(back.startedAt).toBe(state.startedAt);
    expect(back.resumedAt).toBeGreaterThan(state.startedAt!);
    expect(back.run).toEqual({ status: 'running' });
    expect(back.cells.a).toMatchObject({ status: 'pending', attempt: 1 });
    expect(outputLines(back.cells.a!.output).map((l) => l.text)).toEqual(['before the kill']);
  });

  it('gives each status its own data', () => {
    const { state, make } = running();
    expect(state.cells.a).toMatchObject({ status: 'running', source: 'echo hi', attempt: 1 });
    expect(state.focus).toBe('a');
    const failed = reduce(state, make({ type: 'cell.finished', cell: 'a', status: 'failed', durationMs: 40, exitCode: 3, error: { message: 'boom', code: '42P01', hint: 'check the name' } }));
    expect(failed.cells.a).toMatchObject({ status: 'failed', durationMs: 40, exitCode: 3, error: { code: '42P01' } });
    const skipped = reduce(failed, make({ type: 'cell.finished', cell: 'b', status: 'skipped', durationMs: 0, reason: 'skipped by operator' }));
    expect(skipped.cells.b).toMatchObject({ status: 'skipped', reason: 'skipped by operator' });
    expect(skipped.cells.c?.status).toBe('pending');
    // a is in the scrollback once the console is past it; b may still be retried.
    expect(skipped.log.map((c) => `${c.id}:${c.status}`)).toEqual(['a:failed']);
    expect(skipped.unsettled).toBe('b');
  });

  it('prints a retried cell into the scrollback once, with its last attempt only', () => {
    const { state, make } = running();
    const retried = reduceAll(state, [
      make({ type: 'cell.output', cell: 'a', stream: 'stderr', data: 'ERROR 42P01 first try\n' }),
      make({ type: 'cell.finished', cell: 'a', status: 'failed', durationMs: 40, error: { message: 'relation "t" does not exist', code: '42P01' } }),
      make({ type: 'operator.decision', cell: 'a', action: 'retry', actor: 'alice' }),
      make({ type: 'cell.started', cell: 'a', lang: 'sh', line: 1, section: ['Containment (< 2 min)'], source: 'echo fixed', attempt: 2 }),
      make({ type: 'cell.output', cell: 'a', stream: 'stdout', data: 'fixed\n' }),
      make({ type: 'cell.finished', cell: 'a', status: 'succeeded', durationMs: 5 }),
    ]);
    expect(retried.log).toEqual([]);
    const moved = reduce(retried, { type: 'ui.ask', ask: { kind: 'decide', cell: 'b', attempts: 0, effect: 'read', phase: 'before' } });
    expect(moved.log.map((c) => `${c.id}:${c.status}:${c.attempt}`)).toEqual(['a:succeeded:2']);
    expect(outputLines(moved.log[0]!.output).map((l) => l.text)).toEqual(['fixed']);
    // The failed attempt's error does not stay on the cell that then succeeded.
    expect(moved.log[0]).not.toHaveProperty('error');
    // Settled once: another question about b prints nothing again.
    expect(reduce(moved, { type: 'ui.ask', ask: { kind: 'decide', cell: 'b', attempts: 0, effect: 'read', phase: 'before' } }).log).toHaveLength(1);
  });

  it('after the last cell ↓ moves onto the checklist and ↑ back to the cells', () => {
    const { state } = running();
    const finishing = reduce({ ...state, checklist: [{ text: 'Timeline', checked: false, line: 9 }], cursor: 2 }, { type: 'ui.checklist.finishing' });
    expect(finishing.onChecklist).toBe(true);
    const back = reduce(finishing, { type: 'ui.cursor.move', delta: -1 });
    expect(back).toMatchObject({ onChecklist: false, cursor: 2 });
    expect(reduce(back, { type: 'ui.cursor.move', delta: 1 })).toMatchObject({ onChecklist: true, checklistCursor: 0 });
  });

  it('says what a statement did as psql does: UPDATE 0 when nothing matched, INSERT 0 1', () => {
    const result = (command: string, rowCount: number) => ({ kind: 'result' as const, statement: command, command, columns: [], rows: [], rowCount, truncated: false });
    const texts = outputLines({ items: [result('UPDATE', 0), result('INSERT', 1), result('CREATE TABLE', 0)], dropped: 0 }).map((l) => l.text);
    expect(texts).toEqual(['UPDATE 0', 'INSERT 0 1', 'CREATE TABLE']);
  });

  it('shows a table whole when it fits, and expanded (never cut) when it does not', () => {
    const query = 'INSERT INTO ops.jobs (id, job_type, payload) VALUES (42, $1, $2) ON CONFLICT DO NOTHING';
    const item = { kind: 'result' as const, statement: 'SELECT', command: 'SELECT', columns: ['pid', 'blocking_query'], rows: [[7, query]], rowCount: 1, truncated: false };
    const narrow = outputLines({ items: [item], dropped: 0 }, 80).map((l) => l.text);
    expect(narrow[0]).toMatch(/^\(expanded: \d+ columns do not fit in 80; o pages the table whole\)$/);
    expect(narrow).toContain(`blocking_query | ${query}`);
    const wide = outputLines({ items: [item], dropped: 0 }, 200).map((l) => l.text);
    expect(wide.some((line) => line.endsWith(query))).toBe(true);
    expect(wide.join('\n')).not.toContain('expanded');
  });

  it('joins chunks cut mid-line and keeps stdout and stderr apart', () => {
    const { state, make } = running();
    const next = reduceAll(state, [
      make({ type: 'cell.output', cell: 'a', stream: 'stdout', data: 'hel' }),
      make({ type: 'cell.output', cell: 'a', stream: 'stdout', data: 'lo\nwor' }),
      make({ type: 'cell.output', cell: 'a', stream: 'stderr', data: 'oops\n' }),
      make({ type: 'cell.output', cell: 'a', stream: 'stdout', data: 'ld\n' }),
    ]);
    expect(outputLines(next.cells.a!.output)).toEqual([
      { text: 'hello', tone: 'stdout' },
      { text: 'wor', tone: 'stdout' },
      { text: '! oops', tone: 'stderr' },
      { text: 'ld', tone: 'stdout' },
    ]);
  });

  it('caps the live buffer and says how much was dropped', () => {
    const { state, make } = running(200);
    const flood = Array.from({ length: 50 }, (_, i) =>
      make({ type: 'cell.output', cell: 'a', stream: 'stdout', data: Array.from({ length: 100 }, (_, j) => `line ${i * 100 + j}`).join('\n') + '\n' }),
    );
    const next = reduceAll(state, flood);
    const output = next.cells.a!.output;
    expect(output.items).toHaveLength(200);
    expect(output.dropped).toBe(4800);
    expect(outputLines(output)[0]?.text).toBe('… 4800 earlier lines not shown');
    expect(outputLines(output).at(-1)?.text).toBe('line 4999');
  });

  it('renders a SQL result as a titled psql table with its row count and truncation note', () => {
    const { state, make } = running();
    const next = reduce(
      state,
      make({ type: 'sql.result', cell: 'a', index: 1, statement: 'select 1', title: 'Who am I?', command: 'SELECT', columns: ['user', 'n'], rows: [['postgres', 1]], rowCount: 40, truncated: true }),
    );
    expect(outputLines(next.cells.a!.output).map((l) => l.text)).toEqual([
      '-- Who am I?',
      '   user   | n',
      '----------+---',
      ' postgres | 1',
      '(40 rows, first 1 shown)',
    ]);
  });

  it('moves the cursor within the outline and follows the runner', () => {
    const { state, make } = running();
    expect(state.cursor).toBe(0);
    const moved = reduceAll(state, [{ type: 'ui.cursor.move', delta: 5 }]);
    expect(moved.cursor).toBe(2);
    expect(reduce(moved, { type: 'ui.cursor.move', delta: -9 }).cursor).toBe(0);
    const asked = reduce(moved, { type: 'ui.ask', ask: { kind: 'decide', cell: 'b', attempts: 0, effect: 'read', phase: 'before' }, source: 'echo edited' });
    expect(asked.cursor).toBe(1);
    expect(asked.cells.b?.source).toBe('echo edited');
    expect(reduce(asked, make({ type: 'operator.decision', cell: 'b', action: 'jump', to: 'c', actor: 'alice' })).cursor).toBe(2);
  });

  it('edits a prompt and ticks the checklist from events', () => {
    let state = initialState({ checklist: [{ text: 'Root cause', checked: false, line: 9 }] });
    state = reduceAll(state, [
      { type: 'ui.prompt.open', prompt: { kind: 'note', label: 'Note', masked: false } },
      { type: 'ui.prompt.input', text: 'db ok' },
      { type: 'ui.prompt.input', text: 'é' },
      { type: 'ui.prompt.erase' },
    ]);
    expect(state.prompt?.text).toBe('db ok');
    const make = eventMaker();
    state = reduce(state, make({ type: 'checklist.ticked', item: 'Root cause', checked: true, line: 9, actor: 'alice' }));
    expect(state.checklist[0]?.checked).toBe(true);
  });

  it('ignores event types it does not know and ends with run.finished', () => {
    const { state, make } = running();
    const unknown = { ...make({ type: 'operator.note', text: 'x', actor: 'a' }), type: 'future.thing' } as never;
    expect(reduce(state, unknown).order).toEqual(state.order);
    const done = reduce(state, make({ type: 'run.finished', status: 'aborted', durationMs: 900, counts: {} }));
    expect(done.run).toEqual({ status: 'aborted', durationMs: 900 });
  });
});
