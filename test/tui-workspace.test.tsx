/**
 * The console as a workspace, below the pseudo-terminal: what the components show (the
 * badges, WRITES while the name is typed, which cells failed, one NOTICE prefix, a
 * message gone once its state changes, the pager wrapping errors and not tables), and
 * keys against a real Runner with real bash (e after the last cell, an ad-hoc cell).
 */
import { describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { parseRunbook } from '../src/engine/parse.js';
import { Runner } from '../src/engine/runner.js';
import { enterRuns } from '../src/renderers/tui/adhoc-prompt.js';
import { LiveArea } from '../src/renderers/tui/App.js';
import { Controller } from '../src/renderers/tui/controller.js';
import { runSummary } from '../src/renderers/tui/footer-lines.js';
import { outputLines } from '../src/renderers/tui/lines.js';
import { TuiOperator } from '../src/renderers/tui/operator.js';
import { pagerEnvironment, pagerText } from '../src/renderers/tui/pager.js';
import { reduceAll } from '../src/renderers/tui/reducer.js';
import { initialState, stateFromRunbook, type ConsoleState } from '../src/renderers/tui/state.js';
import { createConsoleStore } from '../src/renderers/tui/store.js';
import { collector, noTarget } from './runner-support.js';
import { eventMaker, started } from './tui-support.js';

// eslint-disable-next-line no-control-regex -- terminal escapes are control characters
const plain = (frame: string | undefined) => (frame ?? '').replace(/\u001b\[[0-9;]*m/g, '');
const CELLS = [
  { id: 'check', lang: 'sql' as const, line: 3, section: ['S'], source: 'SELECT 1;' },
  { id: 'fix', lang: 'sql' as const, line: 9, section: ['S'], source: 'UPDATE jobs SET status = 1;' },
  { id: 'verify', lang: 'sh' as const, line: 15, section: ['S'], source: 'echo ok' },
];

function scene(kind: 'sandbox' | 'postgres' | 'none'): { state: ConsoleState; make: ReturnType<typeof eventMaker> } {
  const make = eventMaker();
  const state = reduceAll(initialState({ cells: CELLS }), [make({ ...started([]), target: { kind, url: kind === 'none' ? '' : 'postgres://db.example/prod', name: kind === 'none' ? 'none' : 'prod' } } as never, 0)]);
  return { state, make };
}

describe('the pager reads UTF-8', () => {
  it('less is told the file is UTF-8 when the locale does not say so (LANG unset: it would ask "may be a binary file"); the operator\'s LESSCHARSET wins', () => {
    expect(pagerEnvironment({ PATH: '/usr/bin' })).toEqual({ PATH: '/usr/bin', LESSCHARSET: 'utf-8' });
    expect(pagerEnvironment({ LESSCHARSET: 'latin1' })).toEqual({ LESSCHARSET: 'latin1' });
  });
});

describe('console workspace: what is shown', () => {
  it('says NO DATABASE for a runbook without one, not PRODUCTION', () => {
    const frame = plain(render(<LiveArea state={scene('none').state} columns={80} rows={24} />).lastFrame());
    expect(frame).toContain(' NO DATABASE ');
    expect(frame).not.toContain('PRODUCTION');
  });

  it('marks a replay with REPLAY and when the run was made', () => {
    const frame = plain(render(<LiveArea state={scene('postgres').state} columns={80} rows={24} replay />).lastFrame());
    expect(frame).toContain(' REPLAY 2026-11-28 19:38 UTC ');
    expect(plain(render(<LiveArea state={scene('postgres').state} columns={80} rows={24} />).lastFrame())).not.toContain('REPLAY');
  });

  it('keeps · WRITES on the cell while its confirmation is open', () => {
    const { state } = scene('postgres');
    const deciding = { ...state, cursor: 1, ask: { kind: 'decide' as const, cell: 'fix', attempts: 0, effect: 'write' as const, phase: 'before' as const } };
    expect(plain(render(<LiveArea state={deciding} columns={80} rows={24} />).lastFrame())).toContain('· WRITES');
    const confirming: ConsoleState = { ...deciding, ask: { kind: 'confirm', cell: 'fix', targetName: 'prod' }, prompt: { kind: 'confirm', label: 'fix writes to prod. Type prod to confirm:', text: '', masked: false } };
    expect(plain(render(<LiveArea state={confirming} columns={80} rows={24} />).lastFrame())).toContain('· WRITES');
  });

  it('names the cells that failed on the last line', () => {
    const { state, make } = scene('postgres');
    const ended = reduceAll(state, [
      make({ type: 'cell.finished', cell: 'check', status: 'failed', durationMs: 5, error: { message: 'boom' } }),
      make({ type: 'cell.finished', cell: 'fix', status: 'succeeded', durationMs: 5 }),
      make({ type: 'cell.finished', cell: 'verify', status: 'timed-out', durationMs: 5 }),
      make({ type: 'run.finished', status: 'failed', durationMs: 3000, counts: {} }),
    ]);
    expect(runSummary(ended)).toContain('failed: check, verify');
  });

  it('drops a passing message once the state it spoke of changes', () => {
    const { state, make } = scene('postgres');
    const flashed = { ...state, flash: 'back from the pager (check)' };
    expect(reduceAll(flashed, [{ type: 'ui.cursor.move', delta: 1 }]).flash).toBeUndefined();
    expect(reduceAll({ ...state, flash: 'nothing is running' }, [make({ type: 'cell.started', cell: 'check', lang: 'sql', line: 3, section: ['S'], source: 'SELECT 1;', attempt: 1 })]).flash).toBeUndefined();
    expect(reduceAll({ ...state, flash: 'ctrl-c: cancelling check' }, [make({ type: 'cell.finished', cell: 'check', status: 'cancelled', durationMs: 5 })]).flash).toBeUndefined();
  });

  it('shows a server notice with one NOTICE: prefix', () => {
    const lines = outputLines({ items: [{ kind: 'text', stream: 'notice', text: 'NOTICE:  stuck jobs: 3', open: false }, { kind: 'text', stream: 'notice', text: 'bare', open: false }], dropped: 0 });
    expect(lines.map((l) => l.text)).toEqual(['NOTICE:  stuck jobs: 3', 'NOTICE:  bare']);
  });

  it('wraps stderr and errors in the pager to the terminal, and leaves tables to less -S', () => {
    const { state, make } = scene('postgres');
    const long = `Error while finding module specification for 'tools.prod_gate' ${'x'.repeat(80)} END`;
    const wideRow = [`${'w'.repeat(120)}`];
    const done = reduceAll(state, [
      make({ type: 'cell.started', cell: 'check', lang: 'sql', line: 3, section: ['S'], source: 'SELECT 1;', attempt: 1 }),
      make({ type: 'cell.output', cell: 'check', stream: 'stderr', data: `${long}\n` }),
      make({ type: 'sql.result', cell: 'check', index: 1, statement: 'SELECT', command: 'SELECT', columns: ['wide'], rows: [wideRow], rowCount: 1, truncated: false }),
      make({ type: 'cell.finished', cell: 'check', status: 'failed', durationMs: 5, error: { message: `relation does not exist ${'y'.repeat(90)} TAIL` } }),
    ]);
    const text = pagerText(done, 'check', 80);
    const rows = text.split('\n');
    // The error and stderr rows fit the terminal; the table's rows keep their full width.
    expect(rows.filter((r) => /x{10}|y{10}|Error|ERROR/.test(r)).every((r) => [...r].length <= 80)).toBe(true);
    expect(rows.some((r) => r.includes('w'.repeat(120)))).toBe(true);
    expect(text.replace(/\s+/g, '')).toContain(long.replace(/\s+/g, ''));
    expect(text).toContain('TAIL');
  });

  it('runs an ad-hoc SQL text on enter once it ends with ; (psql), a shell line unless it continues', () => {
    expect(enterRuns('SELECT 42', 'sql')).toBe(false);
    expect(enterRuns('SELECT 42\nAS x;', 'sql')).toBe(true);
    expect(enterRuns('SELECT 42\n', 'sql')).toBe(true);
    expect(enterRuns('echo a \\', 'sh')).toBe(false);
    expect(enterRuns('echo a', 'sh')).toBe(true);
    expect(enterRuns('Get-Date `', 'powershell')).toBe(false);
    expect(enterRuns('   ', 'sh')).toBe(false);
  });
});

const RUNBOOK = `# Drill

## One

\`\`\`sh {name=first readonly}
echo first-ran
\`\`\`

\`\`\`sh {name=last readonly}
echo last-original
\`\`\`
`;

function harness(edit?: (source: string) => string | undefined) {
  const runbook = parseRunbook(RUNBOOK, 'drill.md');
  const store = createConsoleStore(stateFromRunbook(runbook, 'alice', { kind: 'none', name: 'none', url: '' }), { intervalMs: 5 });
  const operator = new TuiOperator('alice', store);
  const seen = collector();
  const runner = new Runner({ runbook, operator, target: noTarget, mode: 'interactive', variables: [], actor: 'alice', argv: [], sinks: [seen.sink] });
  runner.subscribe((event) => {
    operator.observe(event);
    store.push(event);
  });
  const controller = new Controller({
    store,
    operator,
    runner: { note: (t, c) => runner.note(t, c), tick: (item, checked) => runner.tick({ ...item, section: [] }, checked), cancelCurrent: () => runner.cancelCurrent() },
    ...(edit ? { edit: (cell: { source: string }) => edit(cell.source) } : {}),
  });
  const until = async (what: string, test: (state: ConsoleState) => boolean) => {
    const deadline = Date.now() + 20_000;
    while (!test(store.getState())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(store.getState().ask)} ${store.getState().flash ?? ''}`);
      await new Promise((r) => setTimeout(r, 10));
      store.flush();
    }
  };
  const asked = (cell: string) => until(cell, (s) => s.ask?.kind === 'decide' && s.ask.cell === cell && s.ask.phase === 'before');
  const press = (input: string, key: Record<string, boolean> = {}) => controller.key(input, key);
  return { store, seen, asked, until, press, done: runner.run() };
}

describe('console workspace: keys against a real run', () => {
  it('e after the last cell edits it, goes back to it, and asks before running the edit', async () => {
    const h = harness((source) => source.replace('last-original', 'last-edited'));
    await h.asked('first');
    h.press('', { return: true });
    await h.asked('last');
    h.press('', { return: true });
    await h.until('finish', (s) => s.finishing === true);
    h.press('e');
    await h.until('edited, asked again', (s) => s.ask?.kind === 'decide' && s.ask.cell === 'last' && s.cells.last?.source === 'echo last-edited');
    h.press('', { return: true });
    await h.until('finish again', (s) => s.finishing === true && s.cells.last?.attempt === 2);
    h.press('', { return: true });
    expect((await h.done).outcome).toBe('ok');
    // (How the way back is recorded is the jump's business; the edit and the run after it are what this is about.)
    const decisions = h.seen.of('operator.decision').map((d) => `${d.action}:${d.cell}`).filter((d) => !d.startsWith('jump:'));
    expect(decisions).toEqual(['run:first', 'run:last', 'edit:last', 'run:last']);
    expect(h.seen.of('cell.output').map((e) => e.data).join('')).toContain('last-edited');
  });

  it('a runs a typed shell cell without a database, on record as ad-hoc, and the same question comes back', async () => {
    const h = harness();
    await h.asked('first');
    h.press('a');
    expect(h.store.getState().prompt).toMatchObject({ kind: 'adhoc', lang: 'sh', cell: 'first' });
    for (const ch of 'echo adhoc-$((40+2))') h.press(ch);
    h.press('', { return: true });
    await h.until('ad-hoc done, first asked again', (s) => s.cells['adhoc-1']?.status === 'succeeded' && s.ask?.kind === 'decide' && s.ask.cell === 'first');
    const state = h.store.getState();
    expect(state.order).toEqual(['first', 'adhoc-1', 'last']);
    // Its result stays selected; the question is still about first, before it runs.
    expect(state.order[state.cursor]).toBe('adhoc-1');
    expect(state.ask).toMatchObject({ phase: 'before' });
    h.press('', { return: true });
    expect(h.store.getState().order[h.store.getState().cursor]).toBe('first');
    h.press('', { return: true });
    await h.asked('last');
    h.press('', { return: true });
    await h.until('finish', (s) => s.finishing === true);
    h.press('', { return: true });
    const summary = await h.done;
    expect(summary.counts).toEqual({ succeeded: 2 });
    expect(h.seen.of('cell.started')[0]).toMatchObject({ cell: 'adhoc-1', adhoc: true, at: 'first', lang: 'sh', source: 'echo adhoc-$((40+2))' });
    expect(h.seen.of('cell.output').find((e) => e.cell === 'adhoc-1')?.data).toBe('adhoc-42\n');
  });

  it('a after the last cell runs at the selected cell, and the run comes back to the end', async () => {
    const h = harness();
    await h.asked('first');
    h.press('', { return: true });
    await h.asked('last');
    h.press('', { return: true });
    await h.until('finish', (s) => s.finishing === true);
    h.press('a');
    expect(h.store.getState().prompt).toMatchObject({ kind: 'adhoc', cell: 'last' });
    for (const ch of 'echo after-the-end') h.press(ch);
    h.press('', { return: true });
    await h.until('ad-hoc done', (s) => s.cells['adhoc-1']?.status === 'succeeded' && s.ask?.kind === 'decide' && s.ask.cell === 'last');
    h.press('', { return: true });
    h.press('s');
    h.press('', { return: true });
    await h.until('finish again', (s) => s.finishing === true);
    h.press('', { return: true });
    expect((await h.done).counts).toEqual({ succeeded: 2 });
    expect(h.seen.of('cell.output').find((e) => e.cell === 'adhoc-1')?.data).toBe('after-the-end\n');
  });
});

describe('console workspace: ad-hoc values', () => {
  it('asks once for a placeholder an ad-hoc cell uses, binds it as a value (never pasted as code), and records it', async () => {
    const h = harness();
    await h.asked('first');
    h.press('a');
    for (const ch of 'echo "who: <WHO>"') h.press(ch);
    h.press('', { return: true });
    await h.until('value asked', (s) => s.prompt?.kind === 'variable');
    expect(h.store.getState().prompt?.label).toContain('<WHO>');
    for (const ch of 'bob; rm -rf /tmp/x') h.press(ch);
    h.press('', { return: true });
    await h.until('ad-hoc done', (s) => s.cells['adhoc-1']?.status === 'succeeded' && s.ask?.kind === 'decide');
    expect(h.seen.of('cell.output').find((e) => e.cell === 'adhoc-1')?.data).toBe('who: bob; rm -rf /tmp/x\n');
    expect(h.seen.of('variable.bound')).toEqual([expect.objectContaining({ name: 'WHO', value: 'bob; rm -rf /tmp/x', source: 'prompt' })]);
    h.press('q');
    h.press('y');
    await h.done;
  });
});

describe('console workspace: replay', () => {
  it('puts a recorded ad-hoc cell after the cell it was made at', () => {
    const make = eventMaker();
    const state = reduceAll(initialState(), [
      make(started([{ id: 'one' }, { id: 'two' }])),
      make({ type: 'cell.started', cell: 'adhoc-1', lang: 'sql', line: 1, section: ['S'], source: 'SELECT 42;', attempt: 1, adhoc: true, at: 'one' }),
      make({ type: 'sql.result', cell: 'adhoc-1', index: 1, statement: 'SELECT 42', command: 'SELECT', columns: ['n'], rows: [['42']], rowCount: 1, truncated: false }),
      make({ type: 'cell.finished', cell: 'adhoc-1', status: 'succeeded', durationMs: 3 }),
    ]);
    expect(state.order).toEqual(['one', 'adhoc-1', 'two']);
    expect(state.cells['adhoc-1']).toMatchObject({ adhoc: true, status: 'succeeded', source: 'SELECT 42;' });
  });
});
