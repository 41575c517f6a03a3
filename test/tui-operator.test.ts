/**
 * The TUI operator and the key controller against a real Runner running real bash
 * cells: keys in, decisions out, in the order the transcript records them.
 */
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../src/engine/parse.js';
import { Runner } from '../src/engine/runner.js';
import { Controller } from '../src/renderers/tui/controller.js';
import { TuiOperator } from '../src/renderers/tui/operator.js';
import { stateFromRunbook, type ConsoleState } from '../src/renderers/tui/state.js';
import { createConsoleStore } from '../src/renderers/tui/store.js';
import { collector, noTarget } from './runner-support.js';

const RUNBOOK = `# Drill

## One

\`\`\`sh {name=first}
echo first-ran
\`\`\`

\`\`\`sh {name=second}
echo second-ran
\`\`\`

## Two

\`\`\`sh {name=third}
echo third-original
\`\`\`

## Checklist

- [ ] Root cause identified
- [ ] Timeline documented
`;

const SLEEPY = `# Sleepy

\`\`\`sh {name=nap}
sleep 30
\`\`\`

\`\`\`sh {name=after}
echo never
\`\`\`
`;

function harness(markdown: string, edit?: (source: string) => string | undefined) {
  const runbook = parseRunbook(markdown, 'drill.md');
  const store = createConsoleStore(stateFromRunbook(runbook, 'alice'), { intervalMs: 5 });
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
    edit: edit ? (cell) => edit(cell.source) : undefined,
  });
  const until = async (what: string, test: (state: ConsoleState) => boolean) => {
    const deadline = Date.now() + 20_000;
    while (!test(store.getState())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(store.getState().ask)}`);
      await new Promise((r) => setTimeout(r, 10));
      store.flush();
    }
  };
  const asked = (cell: string, phase: 'before' | 'after' = 'before') => until(`${cell} ${phase}`, (s) => s.ask?.kind === 'decide' && s.ask.cell === cell && s.ask.phase === phase);
  const press = (input: string, key: Record<string, boolean> = {}) => controller.key(input, key);
  const type = (text: string) => [...text].forEach((ch) => press(ch));
  return { runner, store, operator, seen, asked, until, press, type, done: runner.run() };
}

describe('TUI operator', () => {
  it('turns keys into decisions: run, skip, edit, note, checklist ticks, finish', async () => {
    const h = harness(RUNBOOK, (source) => source.replace('third-original', 'third-edited'));
    await h.asked('first');
    h.press('', { return: true });
    // first succeeded: the console moves on by itself to the next cell.
    await h.asked('second');
    expect(h.store.getState().cells.first?.status).toBe('succeeded');
    h.press('s');
    expect(h.store.getState().prompt?.kind).toBe('skip');
    h.press('', { return: true });
    await h.asked('third');
    h.press('n');
    h.type('looks fine');
    h.press('', { return: true });
    h.press('e');
    await h.until('edited source on screen', (s) => s.cells.third?.source === 'echo third-edited' && s.ask?.kind === 'decide');
    h.press('', { return: true });
    // The last cell: the checklist waits before the run ends.
    await h.until('checklist', (s) => s.finishing !== undefined);
    h.press('j');
    h.press('x');
    await h.until('tick', (s) => s.checklist[1]?.checked === true);
    h.press('', { return: true });
    const summary = await h.done;

    expect(summary.outcome).toBe('ok');
    const record = h.seen.events
      .filter((e) => ['operator.decision', 'operator.note', 'checklist.ticked'].includes(e.type))
      .map((e) => (e.type === 'operator.decision' ? `${e.action}:${e.cell}${e.source ? `:${e.source}` : ''}` : e.type === 'operator.note' ? `note:${e.text}:${e.cell}` : `tick:${(e as { item: string }).item}`));
    expect(record).toEqual(['run:first', 'skip:second', 'note:looks fine:third', 'edit:third:echo third-edited', 'run:third', 'tick:Timeline documented']);
    const out = h.seen.of('cell.output').map((e) => e.data).join('');
    expect(out).toContain('third-edited');
    expect(out).not.toContain('second-ran');
  });

  it('an unchanged edit runs nothing and says so', async () => {
    const h = harness(RUNBOOK, () => undefined);
    await h.asked('first');
    h.press('e');
    await h.until('flash', (s) => s.flash?.startsWith('edit cancelled') === true);
    expect(h.operator.waitingDecision).toEqual({ cell: 'first', phase: 'before' });
    h.press('q');
    h.press('y');
    expect((await h.done).status).toBe('aborted');
    expect(h.seen.of('operator.decision').map((d) => d.action)).toEqual(['quit']);
  });

  it('cancels a running cell with c, then quits after asking', async () => {
    const h = harness(SLEEPY);
    await h.asked('nap');
    h.press('', { return: true });
    await h.until('running', (s) => s.cells.nap?.status === 'running');
    h.press('c');
    await h.asked('nap', 'after');
    expect(h.store.getState().cells.nap?.status).toBe('cancelled');
    h.press('q');
    expect(h.store.getState().prompt?.kind).toBe('quit');
    h.press('n');
    expect(h.store.getState().prompt).toBeUndefined();
    h.press('q');
    h.press('y');
    const summary = await h.done;
    expect(summary.status).toBe('aborted');
    expect(h.seen.of('operator.decision').map((d) => d.action)).toEqual(['run', 'cancel', 'quit']);
    expect(h.seen.of('cell.finished').map((e) => `${e.cell}:${e.status}`)).toEqual(['nap:cancelled']);
  });

  it('jumps with g and an id, and enter on another cell jumps there and runs it', async () => {
    const h = harness(RUNBOOK);
    await h.asked('first');
    h.press('g');
    h.type('third');
    h.press('', { return: true });
    await h.asked('third');
    h.press('k');
    h.press('k');
    expect(h.store.getState().order[h.store.getState().cursor]).toBe('first');
    h.press('', { return: true });
    await h.asked('second');
    h.press('q');
    h.press('y');
    await h.done;
    expect(h.seen.of('operator.decision').map((d) => `${d.action}:${d.cell}${d.to ? `>${d.to}` : ''}`)).toEqual(['jump:first>third', 'jump:third>first', 'run:first', 'quit:second']);
  });
});

describe('TUI operator prompts', () => {
  it('masks secret-looking variables and resolves with what was typed', async () => {
    const store = createConsoleStore(stateFromRunbook(parseRunbook(RUNBOOK, 'x.md'), 'alice'));
    const operator = new TuiOperator('alice', store);
    const controller = new Controller({ store, operator });
    const value = operator.askVariable({ name: 'API_TOKEN' });
    expect(store.getState().prompt).toMatchObject({ kind: 'variable', masked: true });
    for (const ch of 's3cr3t') controller.key(ch, {});
    controller.key('', { return: true });
    await expect(value).resolves.toBe('s3cr3t');
    const plain = operator.askVariable({ name: 'GOOD_SHA', description: 'last good commit' });
    expect(store.getState().prompt).toMatchObject({ masked: false, label: 'Value for <GOOD_SHA>:', detail: ['last good commit'] });
    expect(store.getState().prompt?.keys).toMatch(/esc leaves it unset/);
    controller.key('', { escape: true });
    await expect(plain).resolves.toBeUndefined();
  });

  it('takes keys that arrive in one chunk one at a time (typed fast or pasted)', () => {
    const store = createConsoleStore(stateFromRunbook(parseRunbook(RUNBOOK, 'x.md'), 'alice'));
    const notes: string[] = [];
    // A stand-in for the runner's controls: only the note matters here.
    const controller = new Controller({ store, operator: new TuiOperator('alice', store), runner: { note: (t) => notes.push(t), tick: () => {}, cancelCurrent: () => {} } });
    controller.key('n', {});
    controller.key('pasted note\r?', {});
    expect(notes).toEqual(['pasted note']);
    expect(store.getState().help).toBe(true);
  });

  it('confirms a write only when the target name is typed exactly', async () => {
    const runbook = parseRunbook(RUNBOOK, 'x.md');
    const store = createConsoleStore(stateFromRunbook(runbook, 'alice'));
    const operator = new TuiOperator('alice', store);
    const controller = new Controller({ store, operator });
    const cell = runbook.cells[0]!;
    const wrong = operator.confirmWrite(cell, 'prod-db');
    let settled = false;
    void wrong.then(() => (settled = true));
    for (const ch of 'prod') controller.key(ch, {});
    controller.key('', { return: true });
    // A typo is not a refusal: the prompt says what was expected and asks again.
    await new Promise((r) => setTimeout(r, 10));
    expect(settled).toBe(false);
    expect(store.getState().prompt).toMatchObject({ kind: 'confirm', text: '', error: 'expected prod-db, got "prod": type prod-db exactly, or esc to refuse' });
    controller.key('', { escape: true });
    await expect(wrong).resolves.toBe(false);
    const right = operator.confirmWrite(cell, 'prod-db');
    for (const ch of 'prod-db') controller.key(ch, {});
    controller.key('', { return: true });
    await expect(right).resolves.toBe(true);
  });
});
