/**
 * Read-Host in a PowerShell cell (real pwsh): put to the operator where someone can answer
 * (the console gives the executor `ask`), refused with the prompt's own text where nobody can.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPwshExecutor, type PwshExecutor } from '../src/engine/lang/powershell/executor.js';
import { onPath } from '../src/engine/process/which.js';
import { contextFor } from './support/executor-context.js';

const hasPwsh = onPath('pwsh');
let shell: PwshExecutor;
let dir: string;
beforeAll(() => {
  shell = createPwshExecutor({ interpreter: 'pwsh', killGraceMs: 1000 });
  dir = mkdtempSync(join(tmpdir(), 'runbook-prompts-'));
  mkdirSync(join(dir, 'scripts'));
  // The client's later db_push.ps1: a called script that asks before prod.
  writeFileSync(join(dir, 'scripts', 'push.ps1'), "$answer = Read-Host \"Type 'YES' to push to prod\"\nif ($answer -ne 'YES') { Write-Output 'aborted'; exit 1 }\nWrite-Output 'pushed'\n");
});
afterAll(async () => {
  await shell.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasPwsh)('Read-Host reaches the operator', () => {
  it('in a called script: the answer comes back, and the question and answer are in the output', async () => {
    const asked: { prompt: string; secure: boolean }[] = [];
    const run = contextFor('powershell', './scripts/push.ps1', { cwd: dir, cwdFrom: 'attribute' });
    run.context.ask = async (question) => (asked.push(question), 'YES');
    expect(await shell.run(run.context)).toMatchObject({ status: 'succeeded' });
    expect(asked).toEqual([{ prompt: "Type 'YES' to push to prod", secure: false }]);
    expect(run.output('stdout')).toBe("Type 'YES' to push to prod: YES\npushed\n");
  }, 60_000);

  it('-AsSecureString: the cell gets a SecureString, the output shows the answer masked', async () => {
    const run = contextFor('powershell', "$s = Read-Host 'Password' -AsSecureString\nWrite-Output $s.GetType().Name\nWrite-Output ([System.Net.NetworkCredential]::new('', $s).Password.Length)");
    run.context.ask = async () => 'hunter2-secret';
    expect(await shell.run(run.context)).toMatchObject({ status: 'succeeded' });
    expect(run.output('stdout')).toBe('Password: ********\nSecureString\n14\n');
    expect(JSON.stringify(run.events)).not.toContain('hunter2-secret');
  }, 60_000);

  it('unattended (no one to ask): the cell fails with the prompt’s own text, the lines after it never run', async () => {
    const run = contextFor('powershell', './scripts/push.ps1\nWrite-Output after', { cwd: dir, cwdFrom: 'attribute' });
    const result = await shell.run(run.context);
    expect(result).toMatchObject({ status: 'failed', error: { code: 'EPROMPT', message: expect.stringContaining(`Read-Host asked "Type 'YES' to push to prod" and an unattended run cannot answer`) } });
    expect(run.output('stdout')).not.toContain('after');
    // The session lives on.
    const next = contextFor('powershell', 'Write-Output still');
    expect(await shell.run(next.context)).toMatchObject({ status: 'succeeded' });
  }, 60_000);

  it('declined in the console: the cell stops there, said so', async () => {
    const run = contextFor('powershell', "Read-Host 'Continue?'\nWrite-Output after");
    run.context.ask = async () => undefined;
    expect(await shell.run(run.context)).toMatchObject({ status: 'failed', error: { message: 'Read-Host asked "Continue?" and no answer was given; the cell stopped there' } });
    expect(run.output('stdout')).toBe('');
  }, 60_000);
});
