/**
 * Runme's `interactive` cells. In the console (a real pseudo-terminal) the cell gets the
 * terminal: `read name` takes what the operator types, the screen shows the answer, and the
 * transcript records the cell, its output (as script(1) saw the terminal) and its end; the
 * console comes back and the session carries what the cell exported. Unattended, the cell's
 * stdin is /dev/null, never the CLI's own stdin.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellFinished, RunEvent } from '../src/engine/events.js';
import { onPath } from '../src/engine/process/which.js';
import { endRun, KEYS, runWhenAsked, spawnCli } from './support/pty.js';
import { CLI, fixture, parseLines, ROOT } from './runner-support.js';
import { spawnSync } from 'node:child_process';

const FIXTURE = 'test/fixtures/runbooks/interactive.md';
const output = (events: RunEvent[], cell: string) => events.filter((e) => e.type === 'cell.output' && e.cell === cell).map((e) => (e as { data: string }).data).join('');

describe('interactive cells', () => {
  it.skipIf(!onPath('script'))('in the console the cell has the terminal: typed input is read, the answer is on screen and recorded', async () => {
    const transcript = join(mkdtempSync(join(tmpdir(), 'runbook-pty-interactive-')), 'run.jsonl');
    const tui = spawnCli(['run', FIXTURE, '--transcript', transcript], { cols: 100, rows: 30 });
    try {
      await tui.waitFor('enter run · s skip');
      tui.write(KEYS.enter);
      await tui.waitFor(/^your name\? *$/m);
      // On the alternate screen, so the console's frame is intact when the cell ends.
      expect(tui.raw()).toContain('\u001b[?1049h\u001b[H\u001b[2Jrunbook: this cell is interactive: the terminal is its own until it ends');
      tui.write('alice\r');
      await tui.waitFor('hi alice');
      // The console is back, the cell's pane shows what was recorded, and the next cell waits.
      await runWhenAsked(tui, /› +2 · after pending/);
      await tui.waitFor('carried: alice');
      expect(await endRun(tui)).toBe(0);
    } finally {
      tui.kill();
    }
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(events.find((e): e is CellFinished => e.type === 'cell.finished' && e.cell === 'ask')).toMatchObject({ status: 'succeeded', exitCode: 0 });
    // What the terminal showed, the operator's echoed answer included.
    expect(output(events, 'ask')).toBe('your name? alice\nhi alice\n');
    expect(output(events, 'after')).toBe('carried: alice\n');
  });

  it('unattended the cell gets /dev/null as stdin, not the CLI\'s stdin: read sees end of input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-interactive-'));
    const result = spawnSync(process.execPath, [CLI, 'run', fixture('interactive.md'), '--yes', '--transcript', join(dir, 't.jsonl')], {
      cwd: ROOT,
      input: 'mallory\n',
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    const events = parseLines(readFileSync(join(dir, 't.jsonl'), 'utf8'));
    expect(output(events, 'ask')).toBe('your name? ');
    expect(events.find((e): e is CellFinished => e.type === 'cell.finished' && e.cell === 'ask')).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(JSON.stringify(events)).not.toContain('mallory');
  });
});
