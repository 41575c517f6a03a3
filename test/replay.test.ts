import { describe, expect, it } from 'vitest';
import { MAX_GAP_MS, replayPlain } from '../src/commands/replay.js';
import { createPlainRenderer } from '../src/renderers/plain.js';
import { dragonflyRun } from './transcript-fixtures.js';

async function play(speed: number) {
  const { events } = dragonflyRun();
  const sleeps: number[] = [];
  let out = '';
  await replayPlain(events, (text) => void (out += text), { speed, step: false, transcriptPath: 't.jsonl' }, async (ms) => void sleeps.push(ms));
  const gaps = events.slice(1).map((e, i) => Date.parse(e.ts) - Date.parse(events[i]!.ts)).filter((gap) => gap > 0);
  return { out, sleeps, gaps, events };
}

describe('replayPlain', () => {
  it('waits the gaps between events divided by --speed, long pauses shortened', async () => {
    const { sleeps, gaps } = await play(2);
    expect(sleeps).toEqual(gaps.map((gap) => Math.min(gap, MAX_GAP_MS) / 2));
    expect(gaps.some((gap) => gap > MAX_GAP_MS)).toBe(true);
  });

  it('does not wait at all at --speed 0', async () => {
    expect((await play(0)).sleeps).toEqual([]);
  });

  it('prints the live plain rendering between two transcript lines, as `runbook run` does', async () => {
    const { out, events } = await play(0);
    let live = '';
    const render = createPlainRenderer((text) => (live += text), { transcriptPath: 't.jsonl' });
    events.forEach(render);
    expect(out).toBe(`transcript: t.jsonl\n${live}transcript: t.jsonl\n`);
  });
});
