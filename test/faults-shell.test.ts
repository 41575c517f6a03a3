/** A cell's own `set -x` traces the cell, never the wrapper's epilogue; its status and state still carry. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onPath } from '../src/engine/process/which.js';
import { parseLines, runCli, tempDir } from './runner-support.js';

describe.each([['bash', ''], ['sh', ' interpreter=sh']])('set -x in a cell (%s)', (_name, info) => {
  it('shows no `+ __runbook_save`, keeps the exit status, and carries the environment', async () => {
    const dir = tempDir('runbook-xtrace-');
    const runbook = join(dir, 'x.md');
    writeFileSync(runbook, ['# X', '', `\`\`\`sh {name=traced${info}}`, 'set -x', 'FOO=carried', 'echo hi', '```', '', `\`\`\`sh {name=reads${info}}`, 'echo "FOO=$FOO"', '```', ''].join('\n'));
    const transcript = join(dir, 'x.jsonl');
    const result = await runCli(['run', runbook, '--yes', '--transcript', transcript], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    const output = events.filter((e) => e.type === 'cell.output').map((e) => e.data).join('');
    expect(output).toContain('echo hi');
    expect(output).not.toContain('__runbook');
    expect(output).toContain('FOO=carried\n');
  }, 60_000);
});

/** PowerShell's `set -x`: `Set-PSDebug -Trace 1`. pwsh from PATH, or where .ci installs it. */
const pwshPath = [process.env.PATH, '/root/.dotnet/tools'].filter(Boolean).join(':');
const hasPwsh = onPath('pwsh', pwshPath);

describe.skipIf(!hasPwsh)('Set-PSDebug -Trace 1 in a PowerShell cell (skipped without pwsh)', () => {
  function traced(dir: string, info: string): string {
    const runbook = join(dir, 'trace.md');
    writeFileSync(
      runbook,
      ['# T', '', `\`\`\`powershell {name=traced${info}}`, 'Set-PSDebug -Trace 1', "$env:FOO = 'carried'", 'Write-Output "hi"', '```', '', `\`\`\`powershell {name=reads${info}}`, 'Write-Output "FOO=$env:FOO"', '```', ''].join('\n'),
    );
    return runbook;
  }

  it('a process per cell: traces the cell lines, never the hand-over after them; the environment still carries', async () => {
    const dir = tempDir('runbook-pstrace-');
    const transcript = join(dir, 't.jsonl');
    // Arguments after pwsh make it a process per cell (-File on the wrapper), where the trace goes to the console host.
    const result = await runCli(['run', traced(dir, ' interpreter="pwsh -NoLogo"'), '--yes', '--transcript', transcript], { cwd: dir, env: { PATH: pwshPath } });
    expect(result.code, result.stderr).toBe(0);
    const output = parseLines(readFileSync(transcript, 'utf8')).filter((e) => e.type === 'cell.output' && e.cell === 'traced').map((e) => (e as { data?: string }).data).join('');
    expect(output).toMatch(/DEBUG: +3\+ +>>>> Write-Output "hi"/);
    expect(output).not.toMatch(/__runbook|ConvertTo-Json|Set-Content|GetEnvironmentVariables|runbook-shell-/);
    expect(result.stdout).toContain('FOO=carried');
  }, 120_000);

  it('the pwsh session: the cells runspace has no host to trace to, so nothing of the wrapper shows; the environment still carries', async () => {
    const dir = tempDir('runbook-pstrace-');
    const transcript = join(dir, 't.jsonl');
    const result = await runCli(['run', traced(dir, ''), '--yes', '--transcript', transcript], { cwd: dir, env: { PATH: pwshPath } });
    expect(result.code, result.stderr).toBe(0);
    const output = parseLines(readFileSync(transcript, 'utf8')).filter((e) => e.type === 'cell.output').map((e) => e.data).join('');
    expect(output).toBe('hi\nFOO=carried\n');
  }, 120_000);
});
