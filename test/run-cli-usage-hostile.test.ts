/** Bad input that used to widen a run: a broken frontmatter and an empty --only are refused (exit 2), nothing runs. */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, runCli, tempDir } from './runner-support.js';

describe('refused before anything runs', () => {
  it('a frontmatter that does not parse: file:line like lint, exit 2, no transcript, no sandbox', async () => {
    const dir = tempDir();
    const file = join(dir, 'broken.md');
    const marker = join(dir, 'ran');
    writeFileSync(file, ['---', 'database: $PROD_DB_URL', 'variables:', '  TOKEN: { secret: true, pattern: [a-z', '---', '# Broken', '', '## Step', '', '```sh {name=step}', `touch ${marker}`, '```', ''].join('\n'));
    const transcript = join(dir, 't.jsonl');
    const result = await runCli(['run', file, '--yes', '--transcript', transcript], { env: { PROD_DB_URL: '' } });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    const lint = await runCli(['lint', file]);
    const lintLine = lint.stdout.split('\n').find((line) => line.includes('(frontmatter)'))!;
    expect(lintLine).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:\\d+: error: frontmatter is not valid YAML`));
    expect(result.stderr.trim()).toBe(`runbook: ${lintLine}; fix it before running (runbook lint ${file})`);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(transcript)).toBe(false);
  });

  it.each([[''], [',,'], [' , ']])('--only %j is a usage error, not "every cell"', async (only) => {
    const transcript = join(tempDir(), 't.jsonl');
    const result = await runCli(['run', fixture('hostile-shell.md'), '--yes', '--only', only, '--var', 'COUNT=1', '--transcript', transcript]);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr.trim()).toBe(`runbook: --only ${JSON.stringify(only)} names no cell; give cell ids, e.g. --only stuck-jobs,blocked-queries (runbook list shows them)`);
    expect(existsSync(transcript)).toBe(false);
  });
});
