/**
 * PowerShell by PowerShell's rules: each case runs as a cell in the run's pwsh session and,
 * as the reference, as a script under a real `pwsh -NoProfile -File`. The cell's exit code
 * and the lines that ran must be the script's; the one difference is on purpose and
 * documented (README, "PowerShell cells"): where the last command failed, `pwsh -File`
 * exits 0 and the cell fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPwshExecutor, type PwshExecutor } from '../src/engine/lang/powershell/executor.js';
import { onPath } from '../src/engine/process/which.js';
import { contextFor } from './support/executor-context.js';

const hasPwsh = onPath('pwsh');
if (!hasPwsh) console.warn('pwsh-rules.test.ts: skipped, pwsh (PowerShell 7) is not on PATH');

const SCRIPTS: Record<string, string> = {
  // A script that wants to stop at its own first error: its preference is its own.
  'strict.ps1': "$ErrorActionPreference = 'Stop'\nWrite-Output 'strict-start'\nWrite-Error 'strict-err'\nWrite-Output 'strict-after'\n",
  // A script that checks grep's exit code itself, as scripts do: it must not die at grep.
  'grep.ps1': "Write-Output \"grep-sees EAP=$ErrorActionPreference native=$PSNativeCommandUseErrorActionPreference\"\ngrep -q nomatch /dev/null\nif ($LASTEXITCODE -ne 0) { Write-Output \"grep-said $LASTEXITCODE\" }\n",
  // The client's db_push.ps1 refusing: exit 2 from a script.
  'exit2.ps1': "Write-Output 'push-refused'\nexit 2\n",
};

interface Case {
  name: string;
  source: string;
  /** Errors the cell wrote and went on after, or that ended it. */
  errors: number;
}

const CASES: Case[] = [
  { name: 'a non-terminating error', source: "Write-Output 'before'\nWrite-Error 'bad'\nWrite-Output 'after'", errors: 1 },
  { name: 'a failing native command mid-cell', source: "Write-Output 'before'\n/bin/sh -c 'exit 2'\nWrite-Output 'after'", errors: 1 },
  { name: 'a failing last command', source: "Write-Output 'before'\n/bin/sh -c 'exit 5'", errors: 1 },
  { name: 'exit 3', source: "Write-Output 'before'\nexit 3\nWrite-Output 'after'", errors: 0 },
  { name: 'throw', source: "Write-Output 'before'\nthrow 'boom'\nWrite-Output 'after'", errors: 1 },
  { name: 'a called script with its own $ErrorActionPreference', source: "Write-Output 'before'\n./s/strict.ps1\nWrite-Output 'after'", errors: 1 },
  { name: 'a called script that checks a native exit code itself', source: "./s/grep.ps1\nWrite-Output 'after'", errors: 0 },
  { name: 'a called script exiting 2 mid-cell', source: "./s/exit2.ps1\nWrite-Output 'after'", errors: 1 },
];

let dir: string;
let shell: PwshExecutor;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'runbook-pwsh-rules-'));
  mkdirSync(join(dir, 's'));
  for (const [name, text] of Object.entries(SCRIPTS)) writeFileSync(join(dir, 's', name), text);
  shell = createPwshExecutor({ interpreter: 'pwsh', killGraceMs: 1000 });
});
afterAll(async () => {
  await shell?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The script under `pwsh -NoProfile -File`: its exit code, its output lines, and `$?` after its last statement when it got there. */
function reference(source: string): { code: number; lines: string[]; lastOk?: boolean } {
  const file = join(dir, 'reference.ps1');
  writeFileSync(file, `${source}\n"REFERENCE-END $?"\n`);
  const result = spawnSync('pwsh', ['-NoProfile', '-NonInteractive', '-File', file], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const lines = result.stdout.split('\n').filter((line) => line !== '');
  const end = lines.find((line) => line.startsWith('REFERENCE-END '));
  return { code: result.status ?? -1, lines: lines.filter((line) => line !== end), ...(end ? { lastOk: end.endsWith('True') } : {}) };
}

const cell = (source: string, attributes = {}) =>
  contextFor('powershell', source, { cwd: dir, cwdFrom: 'attribute', document: 'runbooks/rules.md', attributes });

describe.skipIf(!hasPwsh)('PowerShell by its own rules, against pwsh -File', () => {
  for (const testCase of CASES) {
    it(`${testCase.name}: the exit code and the lines that ran are pwsh -File's`, async () => {
      const expected = reference(testCase.source);
      const run = cell(testCase.source);
      const result = await shell.run(run.context);
      const lines = run.output('stdout').split('\n').filter((line) => line !== '');
      expect(lines).toEqual(expected.lines);
      // pwsh -File's own exit code, except that a failed last command fails the cell (with its exit code).
      const code = expected.code !== 0 ? expected.code : expected.lastOk === false ? 5 : 0;
      expect(result.exitCode).toBe(code);
      expect(result.status).toBe(code === 0 ? 'succeeded' : 'failed');
      expect(result.errors ?? 0).toBe(testCase.errors);
      expect(`${run.output('stdout')}${run.output('stderr')}`).not.toMatch(/\/dev\/shm|runbook-pwsh-|__runbook|RUNBOOK_VAR_/);
    }, 60_000);
  }

  it('imposes no preference: a called script sees PowerShell defaults, and a cell’s own preference lasts for that cell only', async () => {
    const first = cell("$ErrorActionPreference = 'Stop'\n./s/grep.ps1");
    await shell.run(first.context);
    expect(first.output('stdout')).toContain('grep-sees EAP=Stop');
    const next = cell('./s/grep.ps1');
    expect(await shell.run(next.context)).toMatchObject({ status: 'succeeded' });
    expect(next.output('stdout')).toBe('grep-sees EAP=Continue native=False\ngrep-said 1\n');
  }, 60_000);

  it('keeps $? for the next line: `if (-not $?)` reads the statement before it, not the count', async () => {
    const source = "/bin/sh -c 'exit 4'\nif (-not $?) { Write-Output \"fallback after $LASTEXITCODE\" }\nWrite-Error 'x' 2>$null\nWrite-Output \"after-error $?\"";
    const run = cell(source);
    // The error silenced by 2>$null is not counted: the operator never saw it.
    expect(await shell.run(run.context)).toMatchObject({ status: 'succeeded', errors: 1 });
    expect(run.output('stdout')).toBe('fallback after 4\nafter-error False\n');
    expect(run.output('stdout').trim().split('\n')).toEqual(reference(source).lines);
  }, 60_000);

  it('says which runbook line exited non-zero, and points errors at the runbook line as written', async () => {
    const run = cell("Write-Output 'one'\n/bin/sh -c 'exit 2'\nGet-Item -LiteralPath ${env:RUNBOOK_VAR_GOOD_SHA}-missing");
    run.context.env = { ...run.context.env, RUNBOOK_VAR_GOOD_SHA: 'abc1234' };
    expect(await shell.run(run.context)).toMatchObject({ status: 'failed', errors: 2 });
    const stderr = run.output('stderr');
    // The cell's first line is document line 11 (cellOf's sourceLine).
    expect(stderr).toContain('runbook: runbooks/rules.md:12: exited with 2\n');
    const written = 'Get-Item -LiteralPath <GOOD_SHA>-missing';
    expect(stderr).toContain(`Get-Item: runbooks/rules.md:13\n13 | ${written}\n   | ${'~'.repeat(written.length)}\n`);
    expect(stderr).toContain("Cannot find path '");
    expect(stderr).not.toMatch(/\/dev\/shm|runbook-pwsh-|RUNBOOK_VAR_|__runbook/);
  }, 60_000);

  it('a parse error points at the runbook line', async () => {
    const run = cell("Write-Output 'one'\nif (\nWrite-Output 'two'");
    expect(await shell.run(run.context)).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(run.output('stderr')).toMatch(/^ParserError: runbooks\/rules\.md:1[123]\n/m);
    expect(run.output('stderr')).not.toMatch(/\/dev\/shm|runbook-pwsh-/);
  }, 60_000);
});

describe.skipIf(!hasPwsh)('errorAction: stop (the runbook opts into stop-at-first-error)', () => {
  const stop = { errorAction: 'stop' };
  it('a non-terminating error ends the cell there', async () => {
    const run = cell("Write-Output 'before'\nWrite-Error 'bad'\nWrite-Output 'after'", stop);
    expect(await shell.run(run.context)).toMatchObject({ status: 'failed', exitCode: 1, errors: 1 });
    expect(run.output('stdout')).toBe('before\n');
  }, 60_000);

  it('a failing native command ends the cell with its exit code', async () => {
    const run = cell("Write-Output 'before'\n/bin/sh -c 'exit 2'\nWrite-Output 'after'", stop);
    expect(await shell.run(run.context)).toMatchObject({ status: 'failed', exitCode: 2 });
    expect(run.output('stdout')).toBe('before\n');
  }, 60_000);

  it('a called script exiting 2 ends the cell with 2, and the next cell runs by PowerShell’s defaults again', async () => {
    const run = cell("./s/exit2.ps1\nWrite-Output 'after'", stop);
    expect(await shell.run(run.context)).toMatchObject({ status: 'failed', exitCode: 2, errors: 1 });
    expect(run.output('stdout')).toBe('push-refused\n');
    expect(run.output('stderr')).toContain('runbook: runbooks/rules.md:11: exited with 2; errorAction stop ends the cell here');
    const next = cell("Write-Error 'soft'\nWrite-Output 'after'");
    expect(await shell.run(next.context)).toMatchObject({ status: 'succeeded', errors: 1 });
    expect(next.output('stdout')).toBe('after\n');
  }, 60_000);
});

// The reference itself, checked once: what `pwsh -File` does is the premise of the table above.
describe.skipIf(!hasPwsh)('the reference', () => {
  it('pwsh -File exits 0 when only the last command failed, and N on exit N', () => {
    expect(reference("/bin/sh -c 'exit 5'")).toMatchObject({ code: 0, lastOk: false });
    expect(reference('exit 3').code).toBe(3);
    expect(execFileSync('pwsh', ['-NoProfile', '-Command', '$PSVersionTable.PSVersion.Major'], { encoding: 'utf8' }).trim()).toMatch(/^[7-9]/);
  }, 60_000);
});
