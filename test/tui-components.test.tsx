/** The console's components through ink-testing-library: what the operator reads. */
import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { App, LiveArea } from '../src/renderers/tui/App.js';
import { Controller } from '../src/renderers/tui/controller.js';
import { highlightSource } from '../src/renderers/tui/highlight.js';
import { commandFor, KEY_TABLE } from '../src/renderers/tui/keys.js';
import { TuiOperator } from '../src/renderers/tui/operator.js';
import { reduceAll } from '../src/renderers/tui/reducer.js';
import { initialState, type ConsoleState } from '../src/renderers/tui/state.js';
import { createConsoleStore } from '../src/renderers/tui/store.js';
import { tone } from '../src/renderers/tui/theme.js';
import { eventMaker, started } from './tui-support.js';

// eslint-disable-next-line no-control-regex -- terminal escapes are control characters
const ESC = /\u001b\[[0-9;]*m/g;
const plain = (frame: string | undefined) => (frame ?? '').replace(ESC, '');

function scene(kind: 'sandbox' | 'postgres' = 'sandbox'): { state: ConsoleState; make: ReturnType<typeof eventMaker> } {
  const make = eventMaker();
  const base = initialState({
    cells: [
      { id: 'who-am-i', lang: 'sql', line: 3, section: ['Diagnostics'], source: '-- Who am I?\nSELECT current_user;', prose: 'Check the role the session runs as.' },
      { id: 'rollback', lang: 'powershell', line: 9, section: ['Rollback (< 2 min)'], source: 'railway deploy --commit <GOOD_SHA>', placeholders: ['GOOD_SHA'] },
      { id: 'broken', lang: 'sql', line: 15, section: ['Rollback (< 2 min)'], source: 'SELECT * FROM nope;' },
    ],
    budgets: [{ section: ['Rollback (< 2 min)'], budgetMs: 120_000 }],
    escalation: 'If unresolved in 15 min, page on-call lead.',
  });
  const state = reduceAll(base, [
    make({ ...started([]), target: { kind, url: 'postgres://db.example/prod', name: kind === 'sandbox' ? 'sandbox' : 'prod' } } as never, 0),
  ]);
  return { state, make };
}

afterEach(() => {
  delete process.env.NO_COLOR;
});

describe('console components', () => {
  it('shows a calm SANDBOX badge for the sandbox and PRODUCTION for anything else', () => {
    const sandbox = render(<LiveArea state={scene('sandbox').state} columns={80} rows={24} />);
    expect(plain(sandbox.lastFrame())).toContain('SANDBOX');
    expect(plain(sandbox.lastFrame())).not.toContain('PRODUCTION');
    const prod = render(<LiveArea state={scene('postgres').state} columns={80} rows={24} />);
    const frame = plain(prod.lastFrame());
    expect(frame).toContain('PRODUCTION');
    expect(frame).toContain('Drill');
    expect(frame).toContain('alice');
    expect(frame).toContain('If unresolved in 15 min');
  });

  it('shows the section budget against elapsed and warns once it is exceeded', () => {
    const { state, make } = scene();
    const inSection = reduceAll(state, [make({ type: 'cell.started', cell: 'rollback', lang: 'powershell', line: 9, section: ['Rollback (< 2 min)'], source: 'x', attempt: 1 }, 1000)]);
    expect(plain(render(<LiveArea state={{ ...inSection, now: inSection.now + 30_000 }} columns={80} rows={24} />).lastFrame())).toContain('Rollback: 0:30 / 2:00');
    const over = plain(render(<LiveArea state={{ ...inSection, now: inSection.now + 150_000 }} columns={80} rows={24} />).lastFrame());
    expect(over).toContain('OVER BUDGET');
    expect(over).toContain('2:30 / 2:00');
  });

  it('marks each status in the outline and highlights the selected cell', () => {
    const { state, make } = scene();
    const next = reduceAll(state, [
      make({ type: 'cell.started', cell: 'who-am-i', lang: 'sql', line: 3, section: ['Diagnostics'], source: 'SELECT 1', attempt: 1 }),
      make({ type: 'cell.finished', cell: 'who-am-i', status: 'succeeded', durationMs: 12 }),
      make({ type: 'cell.finished', cell: 'rollback', status: 'skipped', durationMs: 0, reason: 'skipped by operator' }),
      make({ type: 'cell.started', cell: 'broken', lang: 'sql', line: 15, section: ['Rollback (< 2 min)'], source: 'SELECT * FROM nope;', attempt: 1 }),
    ]);
    const frame = plain(render(<LiveArea state={next} columns={80} rows={30} />).lastFrame());
    expect(frame).toMatch(/✓ who-am-i succeeded in 12 ms/);
    expect(frame).toMatch(/↷ rollback skipped/);
    expect(frame).toMatch(/› +3 ▶ broken running/);
    expect(frame).toContain('§ Diagnostics');
  });

  it('shows a failed cell with SQLSTATE, message and hint', () => {
    const { state, make } = scene();
    const failed = reduceAll(state, [
      { type: 'ui.cursor.to', cell: 'broken' },
      make({ type: 'cell.started', cell: 'broken', lang: 'sql', line: 15, section: ['Rollback (< 2 min)'], source: 'SELECT * FROM nope;', attempt: 1 }),
      make({ type: 'cell.finished', cell: 'broken', status: 'failed', durationMs: 3, error: { message: 'relation "nope" does not exist', code: '42P01', hint: 'Create it first.' } }),
    ]);
    const frame = plain(render(<LiveArea state={failed} columns={80} rows={24} />).lastFrame());
    expect(frame).toContain('ERROR:  relation "nope" does not exist (SQLSTATE 42P01)');
    expect(frame).toContain('HINT:  Create it first.');
  });

  it('prints the source highlighted with placeholders marked, and prose compact', () => {
    const { state } = scene();
    const frame = render(<LiveArea state={{ ...state, cursor: 1 }} columns={80} rows={24} />).lastFrame() ?? '';
    expect(frame).toContain('\u001b[7m<GOOD_SHA>\u001b[27m');
    expect(plain(frame)).toContain('asks for <GOOD_SHA> when it runs');
    const first = plain(render(<LiveArea state={state} columns={80} rows={24} />).lastFrame());
    expect(first).toContain('Check the role the session runs as.');
  });

  it('keeps the live area within 80×24 even for a long cell and a flood of output', () => {
    const { state, make } = scene();
    const long = reduceAll(state, [
      make({ type: 'cell.started', cell: 'who-am-i', lang: 'sql', line: 3, section: ['Diagnostics'], source: Array.from({ length: 60 }, (_, i) => `SELECT ${i};`).join('\n'), attempt: 1 }),
      make({ type: 'cell.output', cell: 'who-am-i', stream: 'stdout', data: Array.from({ length: 500 }, (_, i) => `row ${i} ${'x'.repeat(120)}`).join('\n') + '\n' }),
    ]);
    const frame = plain(render(<LiveArea state={long} columns={80} rows={24} />).lastFrame());
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThan(24);
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(frame).toContain('row 499');
  });

  it('prints the help screen from the key table', () => {
    const frame = plain(render(<LiveArea state={{ ...scene().state, help: true }} columns={120} rows={30} />).lastFrame());
    for (const binding of KEY_TABLE) expect(frame).toContain(binding.command);
    expect(frame).toContain('enter');
  });

  it('wraps the help at 80×24 instead of cutting it, and it fits', () => {
    const frame = plain(render(<LiveArea state={{ ...scene().state, help: true }} columns={80} rows={24} />).lastFrame());
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThan(24);
    expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    const text = frame.replace(/\s+/g, ' ');
    for (const binding of KEY_TABLE) expect(text).toContain(binding.help);
  });

  it('masks a secret prompt as it is typed', () => {
    const state: ConsoleState = { ...scene().state, prompt: { kind: 'variable', label: 'Value for <API_TOKEN>:', text: 'hunter2', masked: true } };
    const frame = plain(render(<LiveArea state={state} columns={80} rows={24} />).lastFrame());
    expect(frame).toContain('Value for <API_TOKEN>:');
    expect(frame).toContain('› •••••••');
    expect(frame).not.toContain('hunter2');
  });

  it('shows a console-session cell as written, its expected output dimmed', () => {
    const session = { lines: [{ kind: 'command' as const, text: '$ kubectl get pods' }, { kind: 'output' as const, text: 'NAME   READY   STATUS' }], source: 'kubectl get pods' };
    const state = initialState({ cells: [{ id: 'pods', lang: 'sh', line: 3, section: ['Check'], source: 'kubectl get pods', session }] });
    const frame = render(<LiveArea state={state} columns={80} rows={24} />).lastFrame() ?? '';
    expect(plain(frame)).toContain('$ kubectl get pods');
    expect(frame).toContain('\u001b[2mNAME   READY   STATUS\u001b[22m');
    // Once edited, what runs is what is shown.
    const edited = initialState({ cells: [{ id: 'pods', lang: 'sh', line: 3, section: ['Check'], source: 'kubectl get pods -A', session }] });
    expect(plain(render(<LiveArea state={edited} columns={80} rows={24} />).lastFrame())).not.toContain('NAME   READY');
  });

  it('names the missing commands in the cell pane for as long as the cell is asked about, not in a passing flash', async () => {
    const { state } = scene();
    const store = createConsoleStore(state, { intervalMs: 1 });
    const operator = new TuiOperator('alice', store);
    const cell = { id: 'rollback', lang: 'powershell', line: 9, section: ['Rollback (< 2 min)'], source: 'railway deploy', attributes: {}, placeholders: [] } as never;
    void operator.decide({ cell, source: 'railway deploy', attempts: 0, effect: 'write', missing: ['railway'] });
    // Later flashes (a note saved, a key refused) replace a flash; the missing line stays.
    store.dispatch({ type: 'ui.flash', text: 'note saved' });
    await new Promise((r) => setTimeout(r, 20));
    const frame = plain(render(<LiveArea state={store.getState()} columns={100} rows={24} />).lastFrame());
    expect(frame).toContain('missing: railway (not found on PATH): enter runs anyway');
    expect(frame).toContain('note saved');
    // Not asked any more (the cell ran): the line goes.
    const after = plain(render(<LiveArea state={{ ...store.getState(), ask: undefined }} columns={100} rows={24} />).lastFrame());
    expect(after).not.toContain('missing: railway');
  });

  it("shows the plan's reason beside a cell that will not run, until it settles", () => {
    const make = eventMaker();
    const base = initialState({ cells: [
      { id: 'check', lang: 'sh', line: 1, section: ['S'], source: 'true' },
      { id: 'rollback', lang: 'powershell', line: 5, section: ['S'], source: 'railway deploy' },
    ] });
    const plan = (whyNot?: { reason: string; message: string }) => ({ willRun: !whyNot, ...(whyNot ? { whyNot } : {}) });
    const cells = [
      { id: 'check', lang: 'sh', line: 1, section: ['S'], plan: plan() },
      { id: 'rollback', lang: 'powershell', line: 5, section: ['S'], plan: plan({ reason: 'missing-interpreter', message: 'pwsh not found' }) },
    ];
    const state = reduceAll(base, [make({ ...started([]), cells } as never, 0)]);
    const frame = plain(render(<LiveArea state={state} columns={100} rows={24} />).lastFrame());
    expect(frame).toMatch(/rollback pending · pwsh not found/);
    expect(frame).not.toMatch(/check pending ·/);
    const skipped = reduceAll(state, [make({ type: 'cell.finished', cell: 'rollback', status: 'skipped', durationMs: 0, reason: 'pwsh not found' }, 10)]);
    expect(plain(render(<LiveArea state={skipped} columns={100} rows={24} />).lastFrame())).not.toContain('pending · pwsh');
  });

  it('NO_COLOR: no colour in sources or tones, placeholders still marked', () => {
    process.env.NO_COLOR = '1';
    expect(tone('red')).toBeUndefined();
    const text = highlightSource("SELECT 'x' FROM t WHERE sha = <GOOD_SHA>;", 'sql');
    expect(text).toBe("SELECT 'x' FROM t WHERE sha = \u001b[7m<GOOD_SHA>\u001b[27m;");
  });

  it('shows a bound SQL value as it runs: a quoted literal in code, escaped inside a string', () => {
    const text = highlightSource("UPDATE t SET claimed_by = <INC> WHERE note = 'by-<INC>' AND sha = <GOOD_SHA>", 'sql', { values: { INC: "O'Brien-42" }, color: false });
    expect(text).toBe("UPDATE t SET claimed_by = '\u001b[7mO''Brien-42\u001b[27m' WHERE note = 'by-\u001b[7mO''Brien-42\u001b[27m' AND sha = \u001b[7m<GOOD_SHA>\u001b[27m");
  });
});

describe('App', () => {
  it('prints finished cells once into <Static> with their tables, and reads keys only where interactive', async () => {
    const { state, make } = scene();
    const store = createConsoleStore(state, { intervalMs: 1 });
    const operator = new TuiOperator('alice', store);
    const app = render(<App store={store} controller={new Controller({ store, operator })} interactive />);
    store.push(make({ type: 'cell.started', cell: 'who-am-i', lang: 'sql', line: 3, section: ['Diagnostics'], source: 'SELECT current_user;', attempt: 1 }));
    store.push(make({ type: 'sql.result', cell: 'who-am-i', index: 1, statement: 'SELECT current_user', title: 'Who am I?', command: 'SELECT', columns: ['current_user'], rows: [['postgres']], rowCount: 1, truncated: false }));
    store.push(make({ type: 'cell.finished', cell: 'who-am-i', status: 'succeeded', durationMs: 4 }));
    store.push(make({ type: 'run.finished', status: 'succeeded', durationMs: 9, counts: { succeeded: 1 } }));
    await new Promise((r) => setTimeout(r, 50));
    const all = plain(app.frames.join('\n'));
    expect(all).toContain('✓ who-am-i succeeded in 4 ms');
    expect(all).toContain('-- Who am I?');
    expect(all).toContain(' current_user');
    expect(all).toContain('(1 row)');
    app.stdin.write('?');
    await new Promise((r) => setTimeout(r, 50));
    expect(plain(app.lastFrame())).toContain('Keys (? or esc closes)');
    app.unmount();
  });
});

describe('key table', () => {
  it('maps enter, and a line feed from a key pressed before raw mode, to cell.run', () => {
    expect(commandFor('\r', { return: true })).toBe('cell.run');
    expect(commandFor('\n', {})).toBe('cell.run');
    expect(commandFor('s', {})).toBe('cell.skip');
    expect(commandFor('q', { ctrl: true })).toBeUndefined();
  });
});
