/**
 * A PowerShell confirmation through the real CLI (real pwsh): `Remove-Item -Confirm` is asked
 * in the console (a real pseudo-terminal) and answered there, and the answer is recorded;
 * unattended without a terminal, the run stops at it with one line and exit 1, never hangs.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellFinished, CellOutput, RunEvent } from '../src/engine/events.js';
import { readTranscript } from '../src/engine/transcript.js';
import { onPath } from '../src/engine/process/which.js';
import { runCli, tempDir } from './runner-support.js';
import { KEYS, spawnCli } from './support/pty.js';

const hasPwsh = onPath('pwsh');

function runbook(): string {
  const dir = tempDir('runbook-pty-confirm-');
  writeFileSync(join(dir, 'old.log'), 'old');
  writeFileSync(join(dir, 'clean.md'), ['# Clean', '', '## Remove the old log', '', '```powershell {name=clean}', 'Remove-Item ./old.log -Confirm', "Write-Output 'cleaned'", '```', ''].join('\n'));
  return dir;
}

describe.skipIf(!hasPwsh)('a PowerShell confirmation', () => {
  it('is asked in the console and answered there; the question and the answer are recorded', async () => {
    const dir = runbook();
    const transcript = join(dir, 'run.jsonl');
    const tui = spawnCli(['run', 'clean.md', '--transcript', transcript, '--actor', 'alice'], { cwd: dir, cols: 110, rows: 32 });
    try {
      await tui.waitFor('enter run', { timeoutMs: 60_000 });
      tui.write(KEYS.enter);
      await tui.waitFor('[A] Yes to All', { timeoutMs: 90_000 });
      const screen = tui.screen.text();
      expect(screen).toContain('clean asks (Confirm)');
      expect(screen).toContain('Are you sure you want to perform this action?');
      tui.write('y');
      tui.write(KEYS.enter);
      await tui.waitFor('cleaned', { timeoutMs: 60_000, history: true });
      await tui.waitFor(/enter ends the run|enter next/, { timeoutMs: 60_000 });
    } finally {
      tui.kill();
    }
    expect(existsSync(join(dir, 'old.log'))).toBe(false);
    const { events } = (await readTranscript(transcript)) as { events: RunEvent[] };
    const output = events.filter((e): e is CellOutput => e.type === 'cell.output' && e.cell === 'clean').map((e) => e.data).join('');
    expect(output).toContain('Performing the operation "Remove File" on target');
    expect(output).toContain('(default is "Y"): y\ncleaned\n');
    expect(events.find((e): e is CellFinished => e.type === 'cell.finished' && e.cell === 'clean')).toMatchObject({ status: 'succeeded' });
  }, 240_000);

  it('unattended without a terminal: one line with the question, exit 1, the file kept', async () => {
    const dir = runbook();
    const result = await runCli(['run', 'clean.md', '--yes', '--allow-writes', '--transcript', join(dir, 'run.jsonl')], { cwd: dir, env: { CI: 'true' } });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const lines = (result.stdout + result.stderr).split('\n').filter((line) => line.includes('Confirm asked'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Confirm asked "Are you sure you want to perform this action? Performing the operation "Remove File" on target "${join(dir, 'old.log')}"." and an unattended run cannot answer`);
    expect(result.stdout).not.toContain('cleaned');
    expect(existsSync(join(dir, 'old.log'))).toBe(true);
  }, 120_000);
});
