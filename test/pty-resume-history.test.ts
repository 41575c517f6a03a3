/**
 * A resumed run in the console shows its history: the cells that ran before with their
 * recorded outcome and output (o pages it), the clock from the first start, and when it
 * was resumed. Real pty, real bash.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEYS, quitConsole, spawnCli, startConsole } from './support/pty.js';

function twoCells(): string {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-history-'));
  const path = join(dir, 'history.md');
  writeFileSync(path, ['# History', '', '## First', '', '```sh {name=first readonly}', 'echo printed-before-the-quit', '```', '', '## Second', '', '```sh {name=second readonly}', 'echo second', '```', ''].join('\n'));
  return path;
}

describe('resume in the console', () => {
  it('shows the cells that ran before as recorded, o pages their output, and the header says when it resumed', async () => {
    const runbook = twoCells();
    const { tui, transcript } = startConsole(runbook, { name: 'history', cols: 110, rows: 30 });
    try {
      await tui.waitFor(/› +1 · first pending/);
      await tui.waitFor('enter run');
      tui.write(KEYS.enter);
      await tui.waitFor(/› +2 · second pending/);
      expect(await quitConsole(tui)).toBe(0);
    } finally {
      tui.kill();
    }

    const env = { PAGER: 'less -S', LESS: '' };
    const resumed = spawnCli(['resume', transcript, '--actor', 'alice'], { cols: 110, rows: 30, cwd: dirname(runbook), env });
    try {
      await resumed.waitFor(/› +2 · second pending/);
      await resumed.waitFor('enter run');
      const screen = resumed.screen.text();
      expect(screen).toMatch(/1 ✓ first succeeded/);
      expect(screen).toMatch(/resumed at \d\d:\d\d UTC/);
      // The earlier cell's output, as recorded, in the pager.
      resumed.write(KEYS.up);
      await resumed.waitFor(/› +1 ✓ first succeeded/);
      resumed.write('o');
      await resumed.waitFor('printed-before-the-quit');
      await resumed.waitFor('(END)');
      resumed.write('q');
      await resumed.waitFor('back from the pager (first)');
      resumed.write(KEYS.down);
      await resumed.waitFor(/› +2 · second pending/);
      resumed.write(KEYS.enter);
      await resumed.waitFor('enter ends the run');
      resumed.write(KEYS.enter);
      expect(await resumed.exited).toBe(0);
    } finally {
      resumed.kill();
    }
  }, 120_000);
});
