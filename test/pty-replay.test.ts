/**
 * `runbook replay` on a terminal: a transcript written by a real unattended run is played
 * back through the console, in a real pseudo-terminal; `--step` waits for a key between cells.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './runner-support.js';
import { KEYS, spawnCli } from './support/pty.js';

const RUNBOOK = `# Replay drill

## First

\`\`\`sh {name=first readonly}
echo first-output
\`\`\`

## Second

\`\`\`sh {name=second readonly}
echo second-output
\`\`\`
`;

let transcript: string;

beforeAll(async () => {
  const dir = tempDir('runbook-replay-pty-');
  writeFileSync(join(dir, 'drill.md'), RUNBOOK);
  transcript = join(dir, 'drill.jsonl');
  const run = await runCli(['run', 'drill.md', '--yes', '--transcript', transcript], { cwd: dir });
  expect(run.code).toBe(0);
});

describe('replay in a terminal', () => {
  it('shows the run in the console and ends by itself', async () => {
    const tui = spawnCli(['replay', transcript, '--speed', '0'], { cols: 100, rows: 30 });
    try {
      await tui.waitFor('Replay drill');
      await tui.waitFor('second-output', { history: true });
      expect(tui.screen.all()).toContain('first-output');
      expect(await tui.exited).toBe(0);
    } finally {
      tui.kill();
    }
  });

  it('--step holds after each cell until a key is pressed', async () => {
    const tui = spawnCli(['replay', transcript, '--step'], { cols: 100, rows: 30 });
    try {
      await tui.waitFor('first-output', { history: true });
      await tui.waitFor(/step: first succeeded/);
      expect(tui.screen.all()).not.toContain('second-output');
      tui.write(KEYS.enter);
      await tui.waitFor('second-output', { history: true });
      expect(await tui.exited).toBe(0);
    } finally {
      tui.kill();
    }
  });
});
