/**
 * PowerShell cells through the real CLI and real pwsh: the commands a cell needs, named in
 * preflight and skipped unattended (refused with --strict), and secrets masked in all five
 * of PowerShell's streams.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTranscript } from '../src/engine/transcript.js';
import type { CellFinished, RunEvent } from '../src/engine/events.js';
import { onPath } from '../src/engine/process/which.js';
import { findProgram } from '../src/engine/process/which.js';
import { fixture, runCli, tempDir } from './runner-support.js';

const hasPwsh = onPath('pwsh');
if (!hasPwsh) console.warn('pwsh-runbook.test.ts: skipped, pwsh (PowerShell 7) is not on PATH; .ci/run installs it with dotnet');

describe.skipIf(!hasPwsh)('PowerShell runbooks through the CLI (real pwsh)', () => {
  it('unattended, a cell skipped for a missing command needs no values: its placeholder does not refuse the run', async () => {
    const dir = tempDir('runbook-pwsh-values-');
    const file = join(dir, 'deploy.md');
    writeFileSync(file, '# Deploy\n\n```powershell\nno-such-tool-xyz deploy <GOOD_SHA>\n```\n\n# Check\n\n```powershell\nWrite-Output "checked"\n```\n');
    const transcript = join(dir, 'a.jsonl');
    const run = await runCli(['run', file, '--yes', '--transcript', transcript]);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).not.toContain('GOOD_SHA');
    const { events } = (await readTranscript(transcript)) as { events: RunEvent[] };
    expect(events.filter((e): e is CellFinished => e.type === 'cell.finished').map((e) => [e.cell, e.status, e.reason ?? ''])).toEqual([
      ['deploy', 'skipped', 'no-such-tool-xyz not found on PATH'],
      ['check', 'succeeded', ''],
    ]);
    // With the command there, the same value is needed again.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'no-such-tool-xyz'), '#!/bin/sh\necho "deployed $2"\n', { mode: 0o755 });
    const refused = await runCli(['run', file, '--yes', '--transcript', join(dir, 'b.jsonl')], { env: { PATH: `${bin}:${process.env.PATH ?? ''}` } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('no value for <GOOD_SHA>');
  });

  it("a cell run by a pwsh of its own (an interpreter that is not plain pwsh) ends with its exit N: exit 3 fails it with 3", async () => {
    const dir = tempDir('runbook-pwsh-exit-');
    // An interpreter with arguments of its own is run as named: the cell gets a process of its own.
    symlinkSync(findProgram('pwsh', process.env.PATH ?? '') as string, join(dir, 'mypwsh'));
    const file = join(dir, 'exit.md');
    writeFileSync(file, '# Exit\n\n```powershell {name=fails interpreter="./mypwsh -NoLogo"}\nWrite-Output "before"\nexit 3\nWrite-Output "never"\n```\n\n```powershell {name=fine interpreter="./mypwsh -NoLogo"}\nWrite-Output "ok"\nexit 0\n```\n');
    const transcript = join(dir, 'a.jsonl');
    const run = await runCli(['run', file, '--yes', '--keep-going', '--transcript', transcript]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).not.toContain('never');
    const { events } = (await readTranscript(transcript)) as { events: RunEvent[] };
    expect(events.filter((e): e is CellFinished => e.type === 'cell.finished').map((e) => [e.cell, e.status, e.exitCode])).toEqual([
      ['fails', 'failed', 3],
      ['fine', 'succeeded', 0],
    ]);
  });

  it('a PowerShell 7 under another name (pwsh7) is asked what it is and runs the cells in one session: state carries, <GOOD_SHA> binds', async () => {
    const dir = tempDir('runbook-pwsh7-');
    symlinkSync(findProgram('pwsh', process.env.PATH ?? '') as string, join(dir, 'pwsh7'));
    const file = join(dir, 'named.md');
    writeFileSync(file, '# Named\n\n```powershell {name=set interpreter="./pwsh7"}\n$carried = "from cell one"\n```\n\n```powershell {name=use interpreter="./pwsh7"}\nWrite-Output "carried: $carried"\nWrite-Output "sha: <GOOD_SHA>"\n```\n');
    const transcript = join(dir, 'a.jsonl');
    const run = await runCli(['run', file, '--yes', '--var', 'GOOD_SHA=abc1234', '--transcript', transcript]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('carried: from cell one');
    expect(run.stdout).toContain('sha: abc1234');
  });

  it('names the commands each cell needs, skips the cell whose command is missing, and --strict refuses the run', async () => {
    const dir = tempDir('runbook-pwsh-commands-');
    const transcript = join(dir, 'a.jsonl');
    const run = await runCli(['run', fixture('pwsh-commands.md'), '--yes', '--transcript', transcript]);
    expect(run.stdout).toContain('⚠ preflight: no-such-tool-xyz is not on PATH; skipping needs-missing');
    expect(run.stdout).toContain('⚠ preflight: no-such-tool-abc is not on PATH; skipping needs-missing');
    expect(run.stdout).toContain('needs [needs-missing]: no-such-tool-xyz (missing), no-such-tool-abc (missing)');
    expect(run.stdout).toContain('needs [needs-found]: sh (found)');
    const { events } = (await readTranscript(transcript)) as { events: RunEvent[] };
    const preflight = events.find((e) => e.type === 'run.preflight');
    // Cmdlets, functions the run defines and script paths are not external commands.
    expect(preflight && 'needs' in preflight ? preflight.needs : undefined).toEqual([
      { cell: 'needs-missing', name: 'no-such-tool-xyz', found: false },
      { cell: 'needs-missing', name: 'no-such-tool-abc', found: false },
      { cell: 'needs-found', name: 'sh', found: true },
    ]);
    const finished = events.filter((e): e is CellFinished => e.type === 'cell.finished').map((e) => [e.cell, e.status, e.reason ?? '']);
    expect(finished).toEqual([
      ['defines', 'succeeded', ''],
      ['needs-missing', 'skipped', 'no-such-tool-xyz, no-such-tool-abc not found on PATH'],
      ['needs-found', 'succeeded', ''],
    ]);
    expect(run.stdout).toContain('helper ran\n');
    expect(run.stdout).toContain('1 of 3 cells did not run: no-such-tool-xyz, no-such-tool-abc not found on PATH (1)');

    const strict = await runCli(['run', fixture('pwsh-commands.md'), '--yes', '--strict', '--transcript', join(dir, 'b.jsonl')]);
    expect(strict.code).toBe(2);
    expect(strict.stdout + strict.stderr).toContain('no-such-tool-xyz is not on PATH; cannot run needs-missing; install it or drop --strict');
    const refused = (await readTranscript(join(dir, 'b.jsonl'))) as { events: RunEvent[] };
    expect(refused.events.filter((e) => e.type === 'cell.started')).toEqual([]);
  }, 120_000);

  it('masks a secret in the success, information, warning, verbose and error streams, on screen and in the transcript', async () => {
    const dir = tempDir('runbook-pwsh-secrets-');
    const transcript = join(dir, 't.jsonl');
    const secret = 'tok-9f8e7d6c5b4a';
    const run = await runCli(['run', fixture('pwsh-secrets.md'), '--yes', '--var', `API_TOKEN=${secret}`, '--transcript', transcript]);
    expect(run.code).toBe(0);
    const text = readFileSync(transcript, 'utf8');
    expect(text).not.toContain(secret);
    expect(run.stdout + run.stderr).not.toContain(secret);
    const { events } = (await readTranscript(transcript)) as { events: RunEvent[] };
    const output = (stream: string) =>
      events.filter((e) => e.type === 'cell.output' && e.stream === stream).map((e) => (e.type === 'cell.output' ? e.data : '')).join('');
    for (const line of ['out ', 'host ', 'info ', 'env ']) expect(output('stdout')).toMatch(new RegExp(`^${line}\\S*\\*{3,}`, 'm'));
    for (const line of ['WARNING: warn ', 'VERBOSE: verbose ', 'error ']) expect(output('stderr')).toMatch(new RegExp(`${line}\\S*\\*{3,}`));
  }, 120_000);
});
