/**
 * Commands a PowerShell cell needs, as PowerShell itself resolves them (Get-Command in the
 * run's session), never from a list of verbs: core cmdlets with unapproved verbs are
 * PowerShell's, a missing program with a versioned twin on PATH says so.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandsNeeded } from '../src/engine/lang/powershell/commands-needed.js';
import { missingReason } from '../src/engine/plan/prepare.js';
import { createPwshExecutor, type PwshExecutor } from '../src/engine/lang/powershell/executor.js';
import { onPath } from '../src/engine/process/which.js';
import { cellOf } from './support/executor-context.js';

const hasPwsh = onPath('pwsh');
let shell: PwshExecutor;
let bin: string;
beforeAll(() => {
  shell = createPwshExecutor({ interpreter: 'pwsh' });
  bin = mkdtempSync(join(tmpdir(), 'runbook-bin-'));
  for (const name of ['python3', 'railway']) {
    writeFileSync(join(bin, name), '#!/bin/sh\n');
    chmodSync(join(bin, name), 0o755);
  }
});
afterAll(async () => {
  await shell.close();
  rmSync(bin, { recursive: true, force: true });
});

const needs = async (source: string) => {
  const cell = cellOf('powershell', source);
  const needed = await commandsNeeded({ cells: [cell], parserFor: async () => shell, env: { PATH: bin }, cwdOf: () => tmpdir() });
  return needed.get(cell.id) ?? [];
};

describe.skipIf(!hasPwsh)('commands needed, from PowerShell itself', () => {
  it('ForEach-Object, Where-Object, Sort-Object, Tee-Object, Select-String, aliases and module cmdlets are never missing programs', async () => {
    const source = [
      'railway logs --service api | Select-String "sha" | ForEach-Object { $_ } | Where-Object { $_ } | Sort-Object | Tee-Object -Variable seen',
      'gci | % { $_.Name } | ? { $_ } | sort',
      'Get-FileHash -Path x; ConvertTo-Json @{}; Measure-Object; Group-Object; Compare-Object $a $b',
    ].join('\n');
    // On Linux `sort` is no alias of Sort-Object: PowerShell runs the program, so it is needed (and not on this PATH).
    expect(await needs(source)).toEqual([{ name: 'railway', found: true }, { name: 'sort', found: false }]);
  }, 60_000);

  it('a hyphenated name PowerShell does not know is a program, and missing', async () => {
    expect(await needs('Get-NoSuchThingXyz -x\nno-such-tool --version')).toEqual([
      { name: 'Get-NoSuchThingXyz', found: false },
      { name: 'no-such-tool', found: false },
    ]);
  }, 60_000);

  it("the session host's own functions are no cell's: missing programs; a module's function and any spelling of a cmdlet are PowerShell's", async () => {
    // The host lists PowerShell's commands in its own runspace, where these are its helpers.
    const source = 'Send-Parse x; New-Map; Test-PowerShellCommand y; Invoke-Cell\nwrite-output 1; COMPRESS-ARCHIVE -Path a -DestinationPath b; Expand-Archive x';
    expect(await needs(source)).toEqual([
      { name: 'Send-Parse', found: false },
      { name: 'New-Map', found: false },
      { name: 'Test-PowerShellCommand', found: false },
      { name: 'Invoke-Cell', found: false },
    ]);
  }, 60_000);

  it('python missing where python3 is: the reason says python3 was found', async () => {
    const list = await needs('python -c "print(1)"');
    expect(list).toEqual([{ name: 'python', found: false, near: 'python3' }]);
    expect(missingReason(list)).toBe('python (python3 found) not found on PATH');
  }, 60_000);
});

describe.skipIf(!hasPwsh)('python -m modules, checked by the interpreter', () => {
  it('asks each python once per top-level module and directory, whatever the number of cells and submodules, and tells each cell', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-pymod-'));
    try {
      const calls = join(dir, 'calls');
      // A python that counts its starts and knows one top-level module, `tools`, as an installed one would.
      writeFileSync(join(dir, 'python'), `#!/bin/sh\necho "$3" >> '${calls}'\n[ "$3" = tools ]\n`);
      chmodSync(join(dir, 'python'), 0o755);
      const cells = [
        cellOf('powershell', 'python -m tools.pgrst_reload --env prod', {}, 'a'),
        cellOf('powershell', 'python -m tools.prod_gate --mode prod\npython -m nosuch.thing', {}, 'b'),
        cellOf('powershell', 'python -m tools.smoke_plaintiffs --limit 5', {}, 'c'),
      ];
      const needed = await commandsNeeded({ cells, parserFor: async () => shell, env: { PATH: dir }, cwdOf: () => dir });
      expect(needed.get('a')).toEqual([{ name: 'python', found: true }, { name: 'python -m tools.pgrst_reload', found: true }]);
      expect(needed.get('b')).toEqual([
        { name: 'python', found: true },
        { name: 'python -m tools.prod_gate', found: true },
        { name: 'python -m nosuch.thing', found: false },
      ]);
      expect(needed.get('c')?.[1]).toEqual({ name: 'python -m tools.smoke_plaintiffs', found: true });
      expect(readFileSync(calls, 'utf8').trim().split('\n').sort()).toEqual(['nosuch', 'tools']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
