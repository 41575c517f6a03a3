/**
 * PowerShell placeholders bound where PowerShell's own parser puts them (the parser runs
 * in a real pwsh session), and what the bound cell then does in that session: a hostile
 * value arrives byte for byte and runs nothing.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bindCellPlaceholders } from '../src/engine/placeholders.js';
import { createPwshExecutor } from '../src/engine/lang/powershell/executor.js';
import { onPath } from '../src/engine/process/which.js';
import { contextFor } from './support/executor-context.js';

const hasPwsh = onPath('pwsh');
if (!hasPwsh) console.warn('placeholders-powershell.test.ts: skipped, pwsh (PowerShell 7) is not on PATH; .ci/run installs it with dotnet');

describe.skipIf(!hasPwsh)("placeholders: PowerShell, by PowerShell's parser", () => {
  const session = createPwshExecutor({ interpreter: 'pwsh', killGraceMs: 1000 });
  afterAll(() => session.close());
  const values = { GOOD_SHA: 'abc', timestamp: '2024' };
  const bind = async (source: string, given: Record<string, string> = values) =>
    (await bindCellPlaceholders('powershell', source, Object.keys(given).filter((n) => source.includes(`<${n}>`)), given, session)).source;

  it('binds command arguments, barewords and expandable strings as ${env:RUNBOOK_VAR_…}', async () => {
    expect(await bind('railway deploy --service api --commit <GOOD_SHA>')).toBe('railway deploy --service api --commit ${env:RUNBOOK_VAR_GOOD_SHA}');
    expect(await bind('psql $SUPABASE_DB_URL -f supabase/migrations/<timestamp>_rollback.sql')).toBe(
      'psql $SUPABASE_DB_URL -f supabase/migrations/${env:RUNBOOK_VAR_timestamp}_rollback.sql',
    );
    expect(await bind('Write-Output "sha: <GOOD_SHA>" "$(Get-Date) <timestamp>"')).toBe(
      'Write-Output "sha: ${env:RUNBOOK_VAR_GOOD_SHA}" "$(Get-Date) ${env:RUNBOOK_VAR_timestamp}"',
    );
    expect(await bind('$sha = <GOOD_SHA>')).toBe('$sha = ${env:RUNBOOK_VAR_GOOD_SHA}');
    expect(await bind('Write-Output "$(Get-Item <GOOD_SHA>)"')).toBe('Write-Output "$(Get-Item ${env:RUNBOOK_VAR_GOOD_SHA})"');
  }, 60_000);

  it('turns single-quoted literals and here-strings with a placeholder into the equivalent expandable string', async () => {
    expect(await bind("Write-Output 'it''s $x `n <GOOD_SHA>'")).toBe('Write-Output "it\'s `$x ``n ${env:RUNBOOK_VAR_GOOD_SHA}"');
    expect(await bind("Write-Output 'plain' '<GOOD_SHA>'")).toBe('Write-Output \'plain\' "${env:RUNBOOK_VAR_GOOD_SHA}"');
    expect(await bind("@'\n$a \"q\" <GOOD_SHA>\n'@")).toBe('@"\n`$a `"q`" ${env:RUNBOOK_VAR_GOOD_SHA}\n"@');
  }, 60_000);

  it('leaves comments alone, and refuses a placeholder that would be a command name or part of a variable name', async () => {
    expect(await bind('# deploy <GOOD_SHA>\n<# <GOOD_SHA> #> Write-Output x')).toBe('# deploy <GOOD_SHA>\n<# <GOOD_SHA> #> Write-Output x');
    await expect(bind('tool-<GOOD_SHA> --flag')).rejects.toThrow(/cannot bind <GOOD_SHA> at line 1: it stands in a command name/);
    await expect(bind('Write-Output ${a<GOOD_SHA>}')).rejects.toThrow(/cannot bind <GOOD_SHA> at line 1: it stands inside a PowerShell Variable token/);
  }, 60_000);

  it('a value with quotes, $(), backticks and ; is printed literally and runs nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-ps-hostile-'));
    try {
      const hostile = `"; New-Item -ItemType File pwned1; " ' ; New-Item pwned2 ' $(New-Item pwned3) \`$(New-Item pwned4) @(1) ; & { New-Item pwned5 } ☃ "`;
      const given = { V: hostile };
      const source = [
        'Write-Output <V>',
        'Write-Output "dq: <V>"',
        "Write-Output 'sq: <V>'",
        'Write-Output bare/<V>/word',
        '$v = <V>',
        'Write-Output $v.Length',
        "Write-Output @'\nhere: <V>\n'@",
      ].join('\n');
      const bound = await bindCellPlaceholders('powershell', source, ['V'], given, session);
      const run = contextFor('powershell', bound.source, { cwd: dir });
      run.context.env = { ...run.context.env, ...bound.env };
      expect(await session.run(run.context)).toMatchObject({ status: 'succeeded' });
      expect(run.output('stdout')).toBe(`${hostile}\ndq: ${hostile}\nsq: ${hostile}\nbare/${hostile}/word\n${hostile.length}\nhere: ${hostile}\n`);
      expect(readdirSync(dir)).toEqual([]);
      expect(existsSync(join(dir, 'pwned1'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
