/**
 * PowerShell cells in real pwsh 7, one session per executor. Skipped (with the reason)
 * where pwsh is not installed; .ci/run installs it.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPwshExecutor, type PwshExecutor } from '../src/engine/lang/powershell/executor.js';
import { createShellExecutor } from '../src/engine/lang/sh/executor.js';
import { onPath } from '../src/engine/process/which.js';
import { contextFor } from './support/executor-context.js';
import type { CellPlan } from '../src/engine/plan/index.js';
import { ExecutorPool } from '../src/engine/runner/executors.js';

const hasPwsh = onPath('pwsh');
if (!hasPwsh) console.warn('pwsh-session.test.ts: skipped, pwsh (PowerShell 7) is not on PATH; .ci/run installs it with dotnet');

const open: PwshExecutor[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});
const pwsh = (options: { killGraceMs?: number } = {}) => {
  const executor = createPwshExecutor({ interpreter: 'pwsh', killGraceMs: 1000, ...options });
  open.push(executor);
  return executor;
};
const ps = (source: string, overrides: Parameters<typeof contextFor>[2] = {}) => contextFor('powershell', source, overrides);

describe('pwsh session: one per run', () => {
  it('is shared by callers that ask at once (preflight parses every PowerShell cell together)', async () => {
    const pool = new ExecutorPool({ kind: 'sandbox', name: 'none', maskedUrl: '' } as never);
    try {
      // The pool takes each cell's plan; the interpreter as the plan names it (pwsh, looked up when it starts).
      const planOf = (id: string): CellPlan => ({
        id, lang: 'powershell', effect: 'write', effectReason: 'powershell cell', interpreter: { named: 'pwsh', command: 'pwsh', args: [] },
        placeholders: [], env: [], confirm: { required: false, because: 'write in the sandbox' }, willRun: true,
      });
      const parsers = await Promise.all([1, 2, 3, 4].map((n) => pool.parserFor(planOf(`c${n}`))));
      expect(new Set(parsers).size).toBe(1);
      expect(parsers[0]).toBeDefined();
    } finally {
      await pool.closeAll();
    }
  });
});

describe.skipIf(!hasPwsh)('pwsh session (real PowerShell 7)', () => {
  it('is what the shell executor runs PowerShell cells in', async () => {
    const executor = createShellExecutor({ lang: 'powershell' });
    try {
      const run = ps('$PSVersionTable.PSVersion.Major');
      expect(await executor.run(run.context)).toMatchObject({ status: 'succeeded' });
      expect(Number(run.output('stdout').trim())).toBeGreaterThanOrEqual(7);
    } finally {
      await executor.close();
    }
  });

  it('carries variables, functions and the process id from one cell to the next', async () => {
    const shell = pwsh();
    const first = ps('$count = 41\nfunction Get-Next { $count + 1 }\n$PID');
    expect(await shell.run(first.context)).toMatchObject({ status: 'succeeded', exitCode: 0 });
    const second = ps('Get-Next\n$PID');
    expect(await shell.run(second.context)).toMatchObject({ status: 'succeeded' });
    const [answer, pid] = second.output('stdout').trim().split('\n');
    expect(answer).toBe('42');
    expect(pid).toBe(first.output('stdout').trim());
  }, 60_000);

  it('starts the first cell as pwsh -File would: the warm-up left no output, variable, error or file; a cell that leaves the file system still starts the next in its directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-pwsh-'));
    try {
      const shell = pwsh();
      // Parsed first, as preflight does: the warm-up runs while the host answers.
      await shell.parse('Write-Output 1');
      const first = ps(
        [
          // As under pwsh -File: a module loads when a cell uses it (Test-Path below), not for the engine's own moves.
          '"management=$(@(Get-Module Microsoft.PowerShell.Management).Count)"',
          '"errors=$($Error.Count)"',
          '"left=$(@(Get-Variable -Scope Global -Name events, warm, warmFile, location -ErrorAction Ignore).Count)"',
          '"file=$(Test-Path -LiteralPath (Join-Path $PSScriptRoot warm-up.ps1))"',
          '"at=$($PWD.ProviderPath)"',
          'Set-Location Env:',
        ].join('\n'),
        { cwd: dir },
      );
      expect(await shell.run(first.context)).toMatchObject({ status: 'succeeded', exitCode: 0 });
      expect(first.output('stdout')).toBe(`management=0\nerrors=0\nleft=0\nfile=False\nat=${dir}\n`);
      expect(first.output('stderr')).toBe('');
      const second = ps('"at=$($PWD.ProviderPath)"\n$PWD.Provider.Name', { cwd: dir });
      expect(await shell.run(second.context)).toMatchObject({ status: 'succeeded' });
      expect(second.output('stdout')).toBe(`at=${dir}\nFileSystem\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('moves a cell back to its directory with the Set-Location cmdlet, even when a cell defined a function by that name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-pwsh-'));
    try {
      const shell = pwsh();
      const first = ps("function global:Set-Location { 'shadowed' }\nMicrosoft.PowerShell.Management\\Set-Location Env:", { cwd: dir });
      expect((await shell.run(first.context)).status).toBe('succeeded');
      const next = ps('"$($PWD.Provider.Name) $($PWD.ProviderPath)"', { cwd: dir });
      expect(await shell.run(next.context)).toMatchObject({ status: 'succeeded' });
      expect(next.output('stdout')).toBe(`FileSystem ${dir}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('carries $env: and functions from a dot-sourced script; an environment value is $env:NAME, never a magic $NAME', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-pwsh-'));
    try {
      mkdirSync(join(dir, 'scripts'));
      writeFileSync(join(dir, 'scripts', 'load_env.ps1'), "$env:SUPABASE_MODE = 'prod'\nfunction Get-Mode { \"mode=$env:SUPABASE_MODE\" }\n");
      const shell = pwsh();
      expect((await shell.run(ps('. ./scripts/load_env.ps1', { cwd: dir }).context)).status).toBe('succeeded');
      const next = ps('Get-Mode\nWrite-Output "var=$SUPABASE_MODE url=$SUPABASE_DB_URL"\n/bin/sh -c \'echo "native=$SUPABASE_MODE"\'', { cwd: dir });
      next.context.env = { ...next.context.env, SUPABASE_DB_URL: 'postgres://sandbox' };
      expect((await shell.run(next.context)).status).toBe('succeeded');
      // As in the engineer's terminal: $SUPABASE_DB_URL is a PowerShell variable no one set.
      expect(next.output('stdout')).toBe('mode=prod\nvar= url=\nnative=prod\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('reports a missing dot-sourced script as an error the cell goes on after (as `pwsh -File` does), and the session lives on', async () => {
    const shell = pwsh();
    const missing = ps('. ./scripts/no_such_file.ps1\nWrite-Output after', { cwd: tmpdir() });
    expect(await shell.run(missing.context)).toMatchObject({ status: 'succeeded', exitCode: 0, errors: 1 });
    expect(missing.output('stderr')).toContain('no_such_file.ps1');
    expect(missing.output('stdout')).toBe('after\n');
    // Where the missing script is the last statement, the cell fails (README: a failed last statement).
    const last = ps('. ./scripts/no_such_file.ps1', { cwd: tmpdir() });
    expect(await shell.run(last.context)).toMatchObject({ status: 'failed', exitCode: 1, errors: 1 });
    expect((await shell.run(ps('Write-Output still-here').context)).status).toBe('succeeded');
  }, 60_000);

  it('throw fails the cell and stops it; a native non-zero exit as the last command fails it with that code; exit N ends it with N', async () => {
    const shell = pwsh();
    const thrown = ps("Write-Output before\nthrow 'boom'\nWrite-Output after");
    expect(await shell.run(thrown.context)).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(thrown.output('stdout')).toBe('before\n');
    expect(thrown.output('stderr')).toContain('boom');

    const native = ps("Write-Output before\n/bin/sh -c 'exit 7'");
    expect(await shell.run(native.context)).toMatchObject({ status: 'failed', exitCode: 7, errors: 1, error: { message: 'exit code 7' } });
    expect(native.output('stdout')).toBe('before\n');

    expect(await shell.run(ps('exit 4').context)).toMatchObject({ status: 'failed', exitCode: 4 });
    expect(await shell.run(ps('Write-Output fine; exit 0').context)).toMatchObject({ status: 'succeeded', exitCode: 0 });
    const stopped = ps("Write-Error 'bad'\nWrite-Output 'after'", { attributes: { errorAction: 'stop' } });
    expect((await shell.run(stopped.context)).status).toBe('failed');
    expect(stopped.output('stdout')).toBe('');
  }, 60_000);

  it("follows a cell's own $ErrorActionPreference for that cell, and $? of its last statement decides", async () => {
    const shell = pwsh();
    const strict = ps("$ErrorActionPreference = 'Stop'\nWrite-Error 'hard'\nWrite-Output 'after'");
    expect(await shell.run(strict.context)).toMatchObject({ status: 'failed', errors: 1 });
    expect(strict.output('stdout')).toBe('');
    // Every cell starts with PowerShell's defaults again.
    const carryOn = ps("Write-Error 'soft'\nWrite-Output 'after'");
    expect(await shell.run(carryOn.context)).toMatchObject({ status: 'succeeded', errors: 1 });
    expect(carryOn.output('stdout')).toBe('after\n');
    expect(carryOn.output('stderr')).toContain('soft');
    const lastFails = ps("Write-Output x\n/bin/sh -c 'exit 3'");
    expect(await shell.run(lastFails.context)).toMatchObject({ status: 'failed', exitCode: 3 });
  }, 60_000);

  it('shows and records the five streams: success and information as stdout; error, warning and verbose as stderr', async () => {
    const shell = pwsh();
    const run = ps(
      [
        "Write-Output 'out'",
        "Write-Host 'host'",
        "Write-Information 'info' -InformationAction Continue",
        "Write-Warning 'warn'",
        "Write-Verbose 'verb' -Verbose",
        "Write-Error 'err' -ErrorAction Continue",
        "/bin/sh -c 'echo native-out; echo native-err >&2'",
        "[pscustomobject]@{ Name = 'row'; Size = 3 } | Format-Table -AutoSize",
      ].join('\n'),
    );
    expect((await shell.run(run.context)).status).toBe('succeeded');
    const stdout = run.output('stdout');
    const stderr = run.output('stderr');
    for (const text of ['out\n', 'host\n', 'info\n', 'native-out\n']) expect(stdout).toContain(text);
    expect(stdout).toMatch(/Name\s+Size\n-+\s+-+\nrow\s+3/);
    for (const text of ['WARNING: warn\n', 'VERBOSE: verb\n', 'err', 'native-err\n']) expect(stderr).toContain(text);
    expect(stdout).not.toContain('WARNING');
  }, 60_000);

  it('a timeout and a cancel stop a Start-Sleep 60 cell, kill its native commands, and the session (and its variables) lives on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-pwsh-'));
    try {
      const shell = pwsh();
      expect((await shell.run(ps('$kept = "yes"').context)).status).toBe('succeeded');
      const timed = ps('Start-Sleep 60', { timeoutMs: 1500 });
      expect(await shell.run(timed.context)).toMatchObject({ status: 'timed-out', error: { code: 'ETIMEDOUT', message: expect.stringContaining('pipeline') } });

      const pidFile = join(dir, 'child.pid');
      const cancelled = ps(`/bin/sh -c 'echo $$ > ${pidFile}; exec sleep 60'`);
      const pending = shell.run(cancelled.context);
      await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
      cancelled.controller.abort();
      expect((await pending).status).toBe('cancelled');
      const child = Number(readFileSync(pidFile, 'utf8'));
      await waitFor(() => !alive(child));

      const next = ps('Write-Output "kept=$kept"');
      expect((await shell.run(next.context)).status).toBe('succeeded');
      expect(next.output('stdout')).toBe('kept=yes\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('restarts a session whose pipeline will not stop, from the carried $env: and location', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-pwsh-'));
    try {
      const shell = pwsh();
      expect((await shell.run(ps(`$env:CARRIED = 'env-kept'\n$lost = 'var'\nSet-Location '${dir}'`).context)).status).toBe('succeeded');
      // A .NET call does not see PowerShell's stop request.
      const stuck = ps('[System.Threading.Thread]::Sleep(60000)', { timeoutMs: 1000 });
      expect(await shell.run(stuck.context)).toMatchObject({ status: 'timed-out', error: { message: expect.stringContaining('session was killed') } });
      expect(stuck.output('stderr')).toContain('PowerShell session was restarted');
      const next = ps('Write-Output "$env:CARRIED [$lost] $((Get-Location).Path)"');
      expect((await shell.run(next.context)).status).toBe('succeeded');
      expect(next.output('stdout')).toBe(`env-kept [] ${dir}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it('names a missing pwsh clearly', async () => {
    const executor = createPwshExecutor({ interpreter: '/no/such/pwsh' });
    try {
      expect(await executor.run(ps('Write-Output hi').context)).toMatchObject({ status: 'failed', error: { code: 'ENOENT', message: expect.stringContaining('interpreter not found: /no/such/pwsh') } });
    } finally {
      await executor.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
