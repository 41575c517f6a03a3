/**
 * A cell that leaves the shell in a directory it then removes does not break every later
 * cell: the next one starts where it would without the carried directory, and says so.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './runner-support.js';

describe('a carried working directory that is gone', () => {
  it('the next cell starts in the runbook folder, with a note; the run succeeds', async () => {
    const dir = tempDir('runbook-gone-cwd-');
    writeFileSync(join(dir, 'd.md'), [
      '# D', '', '## A', '', '```sh {name=a readonly}', 'mkdir -p gone && cd gone && rmdir "$PWD"', '```', '',
      '## B', '', '```sh {name=b readonly}', 'echo "in: $PWD"', '```', '',
    ].join('\n'));
    const result = await runCli(['run', 'd.md', '--yes', '--transcript', join(dir, 't.jsonl')], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`is gone; this cell starts in ${dir}`);
    expect(result.stdout).toContain(`in: ${dir}`);
  }, 60_000);
});
