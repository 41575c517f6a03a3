import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './runner-support.js';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', 'runbooks', name);

describe('a missing pwsh', () => {
  it('is named once per run, with where to get it, however many cells it skips', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-hint-'));
    const result = await runCli(['run', fixture('pwsh-twice.md'), '--yes', '--transcript', join(dir, 't.jsonl')], { env: { PATH: '/usr/bin:/bin' } });
    expect(result.code, result.stderr).not.toBe(70);
    const hints = (result.stdout + result.stderr).split('\n').filter((line) => line.includes('dotnet tool install --global PowerShell'));
    expect(hints).toHaveLength(1);
    expect(hints[0]).toMatch(/pwsh is not on PATH; skipping ps-one, ps-two/);
    expect(readFileSync(join(dir, 't.jsonl'), 'utf8')).toContain('dotnet tool install --global PowerShell');
  });
});
