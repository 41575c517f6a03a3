import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { bindPlaceholders } from '../src/engine/placeholders.js';
import { findProgram } from '../src/engine/plan/index.js';
import { contextFor, shellExecutors } from './support/executor-context.js';

const sh = shellExecutors();

/** Live processes whose command line starts with `marker` (`pid: cmdline`). */
function processesWith(marker: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (cmdline.startsWith(marker) && !/\) Z /.test(stat)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('shell executor: sh', () => {
  it('runs a cell and streams stdout and stderr in order', async () => {
    const run = contextFor('sh', 'echo one\nsleep 0.2\necho two >&2\nsleep 0.2\necho three');
    const result = await sh().run(run.context);
    expect(result).toEqual({ status: 'succeeded', exitCode: 0 });
    const streams = run.events.map((e) => (e.type === 'cell.output' ? `${e.stream}:${e.data}` : ''));
    expect(streams).toEqual(['stdout:one\n', 'stderr:two\n', 'stdout:three\n']);
    expect(run.events.every((e) => e.cell === 'cell')).toBe(true);
  });

  it('streams output while the cell is still running', async () => {
    const run = contextFor('sh', 'echo early\nsleep 1\necho late');
    const seen: string[] = [];
    run.context.emit = (e) => {
      if (e.type === 'cell.output') seen.push(e.data);
    };
    const pending = sh().run(run.context);
    expect(await eventually(() => seen.includes('early\n'), 900)).toBe(true);
    expect(seen).not.toContain('late\n');
    await pending;
    expect(seen).toEqual(['early\n', 'late\n']);
  });

  it('fails with the exit code, stopping at the first failing command', async () => {
    const run = contextFor('sh', 'echo before\nfalse\necho after');
    const result = await sh().run(run.context);
    expect(result).toEqual({ status: 'failed', exitCode: 1, error: { message: 'exit code 1', code: '1' } });
    expect(run.output('stdout')).toBe('before\n');
    const explicit = await sh().run(contextFor('sh', 'exit 7').context);
    expect(explicit).toMatchObject({ status: 'failed', exitCode: 7, error: { message: 'exit code 7', code: '7' } });
    const piped = await sh().run(contextFor('sh', 'false | cat').context);
    expect(piped.status).toBe('failed');
  });

  it('runs every line when the cell opts out with set +e, or the executor with stopOnError false', async () => {
    const optedOut = contextFor('sh', 'set +e\nfalse\necho after');
    expect(await sh().run(optedOut.context)).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(optedOut.output()).toBe('after\n');
    const lenient = contextFor('sh', 'false\necho after');
    expect((await sh({ lang: 'sh', stopOnError: false }).run(lenient.context)).status).toBe('succeeded');
  });

  it('carries exported and assigned variables, unsets and cwd to the next cell', async () => {
    const shell = sh();
    const dir = mkdtempSync(join(tmpdir(), 'runbook-cd-'));
    try {
      const first = contextFor('sh', `export X=1\nY='two words'\nunset HOME\ncd ${dir}`);
      expect((await shell.run(first.context)).status).toBe('succeeded');
      const second = contextFor('sh', 'echo "X=$X Y=$Y HOME=${HOME-unset} PWD=$(pwd)"');
      expect((await shell.run(second.context)).status).toBe('succeeded');
      expect(second.output()).toBe(`X=1 Y=two words HOME=unset PWD=${dir}\n`);
      // Another shell executor (another run) starts clean.
      const fresh = contextFor('sh', 'echo "X=${X-unset}"');
      await sh().run(fresh.context);
      expect(fresh.output()).toBe('X=unset\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('carries state from a failed cell but not from a killed one', async () => {
    const shell = sh();
    await shell.run(contextFor('sh', 'export A=from-failed\nexit 3').context);
    await shell.run(contextFor('sh', 'export B=from-killed\nsleep 5', { timeoutMs: 300 }).context);
    const check = contextFor('sh', 'echo "$A ${B-none}"');
    await shell.run(check.context);
    expect(check.output()).toBe('from-failed none\n');
  });

  it("kills the whole process tree on timeout: no 'sleep 60' child survives", async () => {
    // A unique duration marks this test's sleeps: `sleep 60.<digits>` is still a one-minute sleep.
    const sleep = `sleep 60.${String(Date.now()).slice(-6)}${process.pid}`;
    const run = contextFor('sh', `bash -c '${sleep} & ${sleep}; wait' &\nbash -c '${sleep}; true'\n`, { timeoutMs: 1500 });
    const pending = sh().run(run.context);
    expect(await eventually(() => processesWith(sleep).length === 3, 1400)).toBe(true);
    const result = await pending;
    expect(result).toMatchObject({ status: 'timed-out', error: { code: 'ETIMEDOUT' } });
    expect(await eventually(() => processesWith(sleep).length === 0)).toBe(true);
  });

  it('cancels on abort and kills the tree', async () => {
    const sleep = `sleep 60.${String(Date.now()).slice(-6)}${process.pid}1`;
    const run = contextFor('sh', `bash -c '${sleep} & ${sleep}; wait'`);
    const pending = sh().run(run.context);
    expect(await eventually(() => processesWith(sleep).length === 2)).toBe(true);
    run.controller.abort();
    const result = await pending;
    expect(result).toMatchObject({ status: 'cancelled', error: { code: 'ECANCELED' } });
    expect(await eventually(() => processesWith(sleep).length === 0)).toBe(true);
  });

  it('ends background children when the cell ends instead of hanging on them', async () => {
    const sleep = `sleep 60.${String(Date.now()).slice(-6)}${process.pid}2`;
    const run = contextFor('sh', `${sleep} &\necho done`);
    const result = await sh().run(run.context);
    expect(result.status).toBe('succeeded');
    expect(run.output()).toBe('done\n');
    expect(await eventually(() => processesWith(sleep).length === 0)).toBe(true);
  });

  it('runs nothing extra for a hostile placeholder value', async () => {
    const file = join(tmpdir(), `pwned-${randomBytes(4).toString('hex')}`);
    const value = `$(touch ${file}); x\`touch ${file}\`'; touch ${file}; '`;
    const bound = bindPlaceholders('sh', 'echo "sha=<GOOD_SHA>"\necho <GOOD_SHA>\necho \'<GOOD_SHA>\'', ['GOOD_SHA'], { GOOD_SHA: value });
    const run = contextFor('sh', bound.source);
    run.context.env = { ...run.context.env, ...bound.env };
    expect((await sh().run(run.context)).status).toBe('succeeded');
    expect(run.output()).toBe(`sha=${value}\n${value}\n${value}\n`);
    expect(existsSync(file)).toBe(false);
  });

  it('runs in the given cwd, in the interpreter its plan resolved (command and arguments)', async () => {
    const run = contextFor('sh', 'pwd; echo traced', { cwd: tmpdir(), cwdFrom: 'attribute' });
    const bash = findProgram('bash') as string;
    expect((await sh({ lang: 'sh', interpreter: { command: bash, args: ['-x'] } }).run(run.context)).status).toBe('succeeded');
    expect(run.output('stdout').split('\n')[0]).toBe(tmpdir());
    // `-x` reached bash: it traces the cell's commands on stderr.
    expect(run.output('stderr')).toContain('+ echo traced');
  });

  it('names a missing interpreter clearly', async () => {
    const result = await sh({ lang: 'sh', interpreter: 'no-such-shell-xyz' }).run(contextFor('sh', 'echo hi').context);
    expect(result).toMatchObject({ status: 'failed', error: { code: 'ENOENT', message: expect.stringContaining('interpreter not found: no-such-shell-xyz') } });
  });

  it('returns cancelled without starting anything when already aborted', async () => {
    const run = contextFor('sh', 'echo hi');
    run.controller.abort();
    expect((await sh().run(run.context)).status).toBe('cancelled');
    expect(run.events).toEqual([]);
  });
});

describe('shell executor: PowerShell per process, through the pwsh STAND-IN (test/fixtures/stand-ins/pwsh-stand-in)', () => {
  const standIn = join(import.meta.dirname, 'fixtures', 'stand-ins', 'pwsh-stand-in');

  it('passes -NoProfile -NonInteractive -File and streams output; errorAction stop stops at the error', async () => {
    const run = contextFor('powershell', "Write-Output 'hello'\nWrite-Error 'bad'", { attributes: { errorAction: 'stop' } });
    const result = await sh({ lang: 'powershell', interpreter: standIn }).run(run.context);
    expect(run.output('stdout')).toBe('hello\n');
    expect(run.output('stderr')).toContain('bad');
    expect(result).toMatchObject({ status: 'failed', exitCode: 1 });
  });

  it('carries $env: values set by a dot-sourced load_env.ps1 to the next cell, never as a magic $NAME', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-ps-'));
    try {
      mkdirSync(join(dir, 'scripts'));
      writeFileSync(join(dir, 'scripts', 'load_env.ps1'), "$env:SUPABASE_MODE = 'prod'\n");
      const shell = sh({ lang: 'powershell', interpreter: standIn });
      expect((await shell.run(contextFor('powershell', '. ./scripts/load_env.ps1', { cwd: dir }).context)).status).toBe('succeeded');
      const next = contextFor('powershell', 'Write-Output "mode=$env:SUPABASE_MODE var=$SUPABASE_MODE url=$SUPABASE_DB_URL"', { cwd: dir });
      next.context.env = { ...next.context.env, SUPABASE_DB_URL: 'postgres://sandbox' };
      expect((await shell.run(next.context)).status).toBe('succeeded');
      expect(next.output()).toBe('mode=prod var= url=\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a bound value from ${env:NAME} and reports exit codes', async () => {
    const run = contextFor('powershell', 'Write-Output "deploy ${env:GOOD_SHA}"\nexit 4');
    run.context.env = { ...run.context.env, GOOD_SHA: "a'b $(x)" };
    const result = await sh({ lang: 'powershell', interpreter: standIn }).run(run.context);
    expect(run.output()).toBe("deploy a'b $(x)\n");
    expect(result).toEqual({ status: 'failed', exitCode: 4, error: { message: 'exit code 4', code: '4' } });
  });

  it('times out a sleeping stand-in', async () => {
    const run = contextFor('powershell', 'Start-Sleep -Seconds 30', { timeoutMs: 300 });
    expect((await sh({ lang: 'powershell', interpreter: standIn }).run(run.context)).status).toBe('timed-out');
  });
});

// Real pwsh: test/pwsh-session.test.ts (one session per run); binding: test/placeholders-powershell.test.ts.
