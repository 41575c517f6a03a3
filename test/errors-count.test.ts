/**
 * `cell.finished.errors` (PowerShell: errors a cell wrote and went on after) is shown
 * wherever the cell's status is: the plain renderer, the console and the timeline.
 */
import { describe, expect, it } from 'vitest';
import type { CellFinished } from '../src/engine/events.js';
import { finishedLines } from '../src/renderers/plain/blocks.js';
import { finishedText } from '../src/renderers/timeline/wording.js';
import { reduce, reduceAll } from '../src/renderers/tui/reducer.js';
import { initialState } from '../src/renderers/tui/state.js';
import { contractProblem } from '../src/engine/transcript/contract.js';
import { eventMaker, started } from './tui-support.js';

const finished = (errors?: number): CellFinished => ({
  v: 1, seq: 3, ts: '2026-12-06T10:00:00.000Z', run: 'r', hash: '', type: 'cell.finished', cell: 'containment', status: 'succeeded', durationMs: 1500, exitCode: 0,
  ...(errors ? { errors } : {}),
});
const plainStyle = { green: (s: string) => s, red: (s: string) => s, yellow: (s: string) => s, dim: (s: string) => s, bold: (s: string) => s } as never;

describe('cell.finished.errors', () => {
  it('plain: ✓ succeeded in … · 2 errors; nothing when there were none', () => {
    expect(finishedLines(finished(2), plainStyle, true)[0]).toBe('✓ succeeded in 1.5 s · exit 0 · 2 errors');
    expect(finishedLines(finished(1), plainStyle, true)[0]).toBe('✓ succeeded in 1.5 s · exit 0 · 1 error');
    expect(finishedLines(finished(), plainStyle, true)[0]).toBe('✓ succeeded in 1.5 s · exit 0');
  });

  it('timeline: succeeded in 1.5 s · exit 0 · 2 errors', () => {
    expect(finishedText(finished(2))).toBe('succeeded in 1.5 s · exit 0 · 2 errors');
  });

  it('console: the finished cell keeps its count', () => {
    const make = eventMaker();
    const state = reduceAll(initialState({}), [
      make(started([{ id: 'containment' }])),
      make({ type: 'cell.started', cell: 'containment', lang: 'powershell', line: 1, section: [], source: 'railway x', attempt: 1 }),
    ]);
    const { v, seq, ts, run, hash, ...body } = finished(2);
    void v; void seq; void ts; void run; void hash;
    expect(reduce(state, make(body)).cells.containment).toMatchObject({ status: 'succeeded', errors: 2 });
  });

  it('the transcript contract takes it as an optional integer', () => {
    expect(contractProblem(finished(2) as never)).toBeUndefined();
    expect(contractProblem({ ...finished(), errors: 'two' } as never)).toBeDefined();
  });
});
