/** Replay feeds transcript events into the same store and reducer as a live run. */
import { describe, expect, it } from 'vitest';
import { MAX_GAP_MS, play } from '../src/renderers/tui/replay.js';
import { initialState } from '../src/renderers/tui/state.js';
import { createConsoleStore } from '../src/renderers/tui/store.js';
import { eventMaker, started } from './tui-support.js';
import type { RunEvent } from '../src/engine/events.js';

function transcript(): RunEvent[] {
  const make = eventMaker();
  return [
    make(started([{ id: 'a' }, { id: 'b' }]), 0),
    make({ type: 'cell.started', cell: 'a', lang: 'sh', line: 1, section: ['S'], source: 'echo a', attempt: 1 }, 1000),
    make({ type: 'cell.output', cell: 'a', stream: 'stdout', data: 'a\n' }, 1500),
    make({ type: 'cell.finished', cell: 'a', status: 'succeeded', durationMs: 600 }, 1600),
    make({ type: 'cell.started', cell: 'b', lang: 'sh', line: 11, section: ['S'], source: 'echo b', attempt: 1 }, 600_000),
    make({ type: 'cell.finished', cell: 'b', status: 'failed', durationMs: 5, exitCode: 1 }, 600_005),
    make({ type: 'run.finished', status: 'failed', durationMs: 600_010, counts: { succeeded: 1, failed: 1 } }, 600_010),
  ];
}

describe('replay', () => {
  it('waits the transcript’s own gaps divided by speed, long pauses capped', async () => {
    const waits: number[] = [];
    const store = createConsoleStore(initialState());
    await play(transcript(), store, { speed: 2, step: false }, async (ms) => void waits.push(ms)).done;
    expect(waits).toEqual([500, 250, 50, MAX_GAP_MS / 2, 2.5, 2.5]);
    const state = store.getState();
    expect(state.order).toEqual(['a', 'b']);
    expect(state.cells.a?.status).toBe('succeeded');
    expect(state.cells.b).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(state.run).toEqual({ status: 'failed', durationMs: 600_010 });
  });

  it('speed 0 does not wait; step mode stops after each cell until advanced', async () => {
    const store = createConsoleStore(initialState());
    const waits: number[] = [];
    const player = play(transcript(), store, { speed: 1, step: true }, async (ms) => void waits.push(ms));
    await new Promise((r) => setTimeout(r, 20));
    expect(store.getState().cells.a?.status).toBe('succeeded');
    expect(store.getState().cells.b?.status).toBe('pending');
    expect(store.getState().flash).toContain('step: a succeeded');
    player.advance();
    await player.done;
    expect(store.getState().cells.b?.status).toBe('failed');
    expect(waits).toEqual([]);

    const fast = createConsoleStore(initialState());
    await play(transcript(), fast, { speed: 0, step: false }, async () => {
      throw new Error('speed 0 must not wait');
    }).done;
    expect(fast.getState().run.status).toBe('failed');
  });
});
