/**
 * Reading a runbook never hangs and never reads without limit: `list /dev/zero`, a FIFO
 * nobody writes to, and a file past the 16 MiB bound each get one line and exit 2.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './runner-support.js';

describe('runbook files: regular files only, with a size bound', () => {
  it.each([['list'], ['lint']])('%s /dev/zero and a FIFO: refused at once (exit 2), not read', async (command) => {
    const fifo = join(tempDir(), 'pipe.md');
    execFileSync('mkfifo', [fifo]);
    for (const path of ['/dev/zero', fifo]) {
      const result = await runCli([command, path]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`${path} is not a regular file (a device, FIFO or socket)`);
    }
  }, 60_000);

  it('a file over 16 MiB: refused with the bound', async () => {
    const big = join(tempDir(), 'big.md');
    writeFileSync(big, `# Big\n\n${'x'.repeat(16 * 1024 * 1024)}\n`);
    const result = await runCli(['list', big]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/big\.md is \d+ bytes, more than a runbook's limit of 16777216 \(16 MiB\)/);
  });
});
