/**
 * PowerShell text that is parsed again as code — Invoke-Expression/iex, [scriptblock]::Create,
 * Add-Type, .ExpandString(), pwsh -Command, bash -c — runs a value bound into it, however it
 * is quoted; after `--%` nothing expands at all. Judged from PowerShell's own AST in the run's
 * pwsh session: refused before the run (exit 2), the file an injected command would make
 * never appears; a parameter carries the same value as data.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onPath } from '../src/engine/process/which.js';
import { parseLines, runCli, tempDir } from './runner-support.js';

const hasPwsh = onPath('pwsh');
const MARKER = join(tempDir('runbook-pwsh-reparsed-'), 'pwned');
const HOSTILE = `x; New-Item -ItemType File '${MARKER}' | Out-Null; #`;

function runbookWith(source: string): string {
  const file = join(tempDir(), 'ps.md');
  writeFileSync(file, `# PowerShell\n\n## Step\n\n\`\`\`powershell {name=step}\n${source}\n\`\`\`\n`);
  return file;
}

async function run(source: string) {
  rmSync(MARKER, { force: true });
  const transcript = join(tempDir(), 't.jsonl');
  const result = await runCli(['run', runbookWith(source), '--yes', '--allow-writes', '--var', `X=${HOSTILE}`, '--transcript', transcript]);
  const started = existsSync(transcript) ? parseLines(readFileSync(transcript, 'utf8')).filter((e) => e.type === 'cell.started') : [];
  return { ...result, started };
}

describe.skipIf(!hasPwsh)('PowerShell: placeholders in text parsed again as code', () => {
  it.each([
    ['Invoke-Expression', 'Invoke-Expression "Write-Output <X>"', 'the text Invoke-Expression runs as code'],
    ['iex in single quotes', "iex 'Write-Output <X>'", 'the text Invoke-Expression (iex) runs as code'],
    ['[scriptblock]::Create', '& ([scriptblock]::Create("Write-Output <X>"))', 'the text [scriptblock]::Create() parses as code'],
    ['Add-Type', 'Add-Type -TypeDefinition "public class C { public static string V = `"<X>`"; }"', 'the text Add-Type runs as code'],
    ['ExpandString', '$ExecutionContext.InvokeCommand.ExpandString("<X>")', 'the text .ExpandString() parses as code'],
    ['pwsh -Command', 'pwsh -NoProfile -Command "Write-Output <X>"', 'the program text of pwsh -Command'],
    ['after --%', 'Write-Output --% <X>', 'it stands after --% (stop-parsing)'],
  ])('%s: refused before the run (exit 2), nothing ran', async (_what, source, where) => {
    const result = await run(source);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain(where);
    expect(result.started).toEqual([]);
    expect(existsSync(MARKER)).toBe(false);
  }, 120_000);

  it('the safe form: a parameter of a script block carries the value as data', async () => {
    const result = await run('& { param($v) Write-Output "got: $v" } "<X>"\nInvoke-Expression \'Write-Output "env: $env:RUNBOOK_VAR_X"\'');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`got: ${HOSTILE}`);
    expect(result.stdout).toContain(`env: ${HOSTILE}`);
    expect(existsSync(MARKER)).toBe(false);
  }, 120_000);
});
