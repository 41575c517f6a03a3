/**
 * Questions a PowerShell cell asks through its host (real pwsh): `-Confirm` and ShouldContinue
 * confirmations, `$Host.UI.PromptForChoice`, Get-Credential. Put to the operator where someone
 * can answer (the console gives the executor `ask`), in PowerShell's own words; where nobody
 * can (unattended, CI), the cell stops at once with the question as the reason, never hangs.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellQuestion } from '../src/engine/lang/executor.js';
import { createPwshExecutor, type PwshExecutor } from '../src/engine/lang/powershell/executor.js';
import { onPath } from '../src/engine/process/which.js';
import { contextFor } from './support/executor-context.js';

const hasPwsh = onPath('pwsh');
let shell: PwshExecutor;
let dir: string;
beforeAll(() => {
  shell = createPwshExecutor({ interpreter: 'pwsh', killGraceMs: 1000 });
  dir = mkdtempSync(join(tmpdir(), 'runbook-confirm-'));
});
afterAll(async () => {
  await shell.close();
  rmSync(dir, { recursive: true, force: true });
});

function answering(...answers: (string | undefined)[]) {
  const asked: CellQuestion[] = [];
  return { asked, ask: async (question: CellQuestion) => (asked.push(question), answers.shift()) };
}

describe.skipIf(!hasPwsh)('confirmations reach the operator', () => {
  it('Remove-Item -Confirm: asked with PowerShell’s caption, message and choices; y removes, n keeps and the cell goes on', async () => {
    writeFileSync(join(dir, 'a.txt'), 'a');
    writeFileSync(join(dir, 'b.txt'), 'b');
    const yes = answering('y');
    const run = contextFor('powershell', "Remove-Item ./a.txt -Confirm\nWrite-Output after", { cwd: dir, cwdFrom: 'attribute' });
    run.context.ask = yes.ask;
    expect(await shell.run(run.context)).toMatchObject({ status: 'succeeded' });
    expect(existsSync(join(dir, 'a.txt'))).toBe(false);
    expect(yes.asked).toEqual([
      {
        by: 'Confirm',
        prompt: '[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [S] Suspend  [?] Help (default is "Y")',
        secure: false,
        detail: ['Are you sure you want to perform this action?', `Performing the operation "Remove File" on target "${join(dir, 'a.txt')}".`],
      },
    ]);
    // As a terminal shows it: the question, then the answer after the choices.
    expect(run.output('stdout')).toContain(`Confirm\nAre you sure you want to perform this action?\nPerforming the operation "Remove File" on target "${join(dir, 'a.txt')}".\n[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [S] Suspend  [?] Help (default is "Y"): y\nafter\n`);

    const no = answering('n');
    const kept = contextFor('powershell', "Remove-Item ./b.txt -Confirm\nWrite-Output after", { cwd: dir, cwdFrom: 'attribute' });
    kept.context.ask = no.ask;
    expect(await shell.run(kept.context)).toMatchObject({ status: 'succeeded' });
    expect(existsSync(join(dir, 'b.txt'))).toBe(true);
    expect(kept.output('stdout')).toMatch(/: n\nafter\n$/);
  }, 120_000);

  it('ShouldContinue (a folder with children, no -Recurse) and $Host.UI.PromptForChoice: default on enter, label or hot key, ? shows the help and asks again', async () => {
    mkdirSync(join(dir, 'full'));
    writeFileSync(join(dir, 'full', 'x'), 'x');
    const confirm = answering('Yes');
    const run = contextFor('powershell', 'Remove-Item ./full', { cwd: dir, cwdFrom: 'attribute' });
    run.context.ask = confirm.ask;
    expect(await shell.run(run.context)).toMatchObject({ status: 'succeeded' });
    expect(existsSync(join(dir, 'full'))).toBe(false);
    expect(confirm.asked[0]?.detail?.join(' ')).toContain('has children and the Recurse parameter was not specified');

    const choice = answering('', '?', 'p', 'Production');
    const picks = contextFor(
      'powershell',
      [
        "$choices = [System.Management.Automation.Host.ChoiceDescription[]]@([System.Management.Automation.Host.ChoiceDescription]::new('&Staging', 'the staging project'), [System.Management.Automation.Host.ChoiceDescription]::new('&Production', 'the live project'))",
        "Write-Output ('first ' + $Host.UI.PromptForChoice('Deploy', 'Where to?', $choices, 0))",
        "Write-Output ('second ' + $Host.UI.PromptForChoice('Deploy', 'Where to?', $choices, 0))",
        "Write-Output ('third ' + $Host.UI.PromptForChoice('Deploy', 'Where to?', $choices, 0))",
      ].join('\n'),
    );
    picks.context.ask = choice.ask;
    expect(await shell.run(picks.context)).toMatchObject({ status: 'succeeded' });
    expect(picks.output('stdout')).toMatch(/first 0\n[\s\S]*second 1\n[\s\S]*third 1\n$/);
    expect(choice.asked.map((q) => q.prompt)).toEqual(Array(4).fill('[S] Staging  [P] Production  [?] Help (default is "S")'));
    expect(choice.asked[2]?.detail).toEqual(['Where to?', 'S - the staging project', 'P - the live project']);
  }, 120_000);

  it('Get-Credential: the user, then the password as a secure question; the password is never output', async () => {
    const answers = answering('oncall', 'hunter2-secret');
    const run = contextFor('powershell', "$c = Get-Credential\nWrite-Output $c.UserName\nWrite-Output $c.GetNetworkCredential().Password.Length");
    run.context.ask = answers.ask;
    expect(await shell.run(run.context)).toMatchObject({ status: 'succeeded' });
    expect(answers.asked.map((q) => [q.prompt, q.secure])).toEqual([
      ['User', false],
      ['Password for user oncall', true],
    ]);
    expect(run.output('stdout')).toMatch(/oncall\n14\n$/);
    expect(JSON.stringify(run.events)).not.toContain('hunter2-secret');
  }, 120_000);

  it('unattended: the cell stops at the question, with its text, and the lines after it never run; declined in the console likewise', async () => {
    writeFileSync(join(dir, 'c.txt'), 'c');
    const run = contextFor('powershell', "Remove-Item ./c.txt -Confirm\nWrite-Output after", { cwd: dir, cwdFrom: 'attribute' });
    expect(await shell.run(run.context)).toMatchObject({
      status: 'failed',
      error: {
        code: 'EPROMPT',
        message: `Confirm asked "Are you sure you want to perform this action? Performing the operation "Remove File" on target "${join(dir, 'c.txt')}"." and an unattended run cannot answer; the cell stopped there (run it in the console)`,
      },
    });
    expect(existsSync(join(dir, 'c.txt'))).toBe(true);
    expect(run.output('stdout')).not.toContain('after');

    const declined = contextFor('powershell', "$Host.UI.PromptForChoice('Deploy', 'Push to prod?', [System.Management.Automation.Host.ChoiceDescription[]]@('&Yes', '&No'), 1)\nWrite-Output after");
    declined.context.ask = answering(undefined).ask;
    expect(await shell.run(declined.context)).toMatchObject({ status: 'failed', error: { code: 'EPROMPT', message: 'Deploy asked "Push to prod?" and no answer was given; the cell stopped there' } });
    expect(declined.output('stdout')).not.toContain('after');
  }, 120_000);

  it('the host is compiled once into the cache and kept there (0700); a cache others can write is not used', async () => {
    for (const [mode, kept] of [[undefined, true], [0o777, false]] as const) {
      const cache = join(dir, `cache-${kept}`);
      if (mode !== undefined) {
        mkdirSync(cache);
        chmodSync(cache, mode);
      }
      const own = createPwshExecutor({ interpreter: 'pwsh', killGraceMs: 1000, hostCache: cache });
      try {
        const run = contextFor('powershell', "Write-Output $Host.UI.PromptForChoice('Go', 'On?', [System.Management.Automation.Host.ChoiceDescription[]]@('&Yes', '&No'), 0)");
        run.context.ask = answering('n').ask;
        expect(await own.run(run.context)).toMatchObject({ status: 'succeeded' });
        expect(run.output('stdout')).toMatch(/1\n$/);
      } finally {
        await own.close();
      }
      const dlls = readdirSync(cache).filter((name) => /^prompt-host-[0-9a-f]{16}-[\w.-]+\.dll$/.test(name));
      expect(dlls, `cache ${mode?.toString(8) ?? 'new'}`).toHaveLength(kept ? 1 : 0);
      if (mode === undefined) expect(statSync(cache).mode & 0o777).toBe(0o700);
    }
  }, 180_000);

  it('a script that sets the window title or reads the screen size runs as in a terminal', async () => {
    const run = contextFor('powershell', "$Host.UI.RawUI.WindowTitle = 'deploying'\nWrite-Output $Host.UI.RawUI.WindowTitle $Host.UI.RawUI.BufferSize.Width\n$Host.UI.WriteLine('to the host')");
    expect(await shell.run(run.context)).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(run.output('stdout')).toBe('deploying\n200\nto the host\n');
  }, 120_000);

  it('a missing mandatory parameter is asked by its name, as pwsh asks it', async () => {
    const answers = answering('db-7');
    const run = contextFor('powershell', "function Restart-Node { param([Parameter(Mandatory)][string]$Name) \"restarting $Name\" }\nRestart-Node");
    run.context.ask = answers.ask;
    expect(await shell.run(run.context)).toMatchObject({ status: 'succeeded' });
    expect(answers.asked.map((q) => q.prompt)).toEqual(['Name']);
    expect(run.output('stdout')).toMatch(/restarting db-7\n$/);
  }, 120_000);
});
