/**
 * A background cell in the console (real CLI, real pseudo-terminal): started, the console
 * moves on to the next cell at once, the background cell's output lands in its own pane, and
 * at the end of the run it is stopped and recorded.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellFinished } from '../src/engine/events.js';
import { endRun, KEYS, runWhenAsked, spawnCli } from './support/pty.js';
import { parseLines } from './runner-support.js';

describe('background cells in the console', () => {
  it('starting one moves the console on; it is stopped and recorded when the run ends', async () => {
    const transcript = join(mkdtempSync(join(tmpdir(), 'runbook-pty-background-')), 'run.jsonl');
    const tui = spawnCli(['run', 'test/fixtures/runbooks/background.md', '--transcript', transcript], { cols: 100, rows: 40, env: { MEANWHILE_SECONDS: '0' } });
    try {
      await tui.waitFor('enter run · s skip');
      tui.write(KEYS.enter); // setup
      await runWhenAsked(tui, /› +2 · short pending/); // in the background
      await runWhenAsked(tui, /› +3 · long pending/); // in the background
      await runWhenAsked(tui, /› +4 · meanwhile pending/);
      await tui.waitFor('meanwhile done');
      expect(await endRun(tui)).toBe(0);
    } finally {
      tui.kill();
    }
    const events = parseLines(readFileSync(transcript, 'utf8'));
    const finished = Object.fromEntries(events.filter((e): e is CellFinished => e.type === 'cell.finished').map((e) => [e.cell, [e.status, e.reason ?? null]]));
    expect(finished).toMatchObject({ setup: ['succeeded', null], meanwhile: ['succeeded', null], long: ['cancelled', 'background: stopped at the end of the run'] });
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded' });
  });
});
