/**
 * PowerShell lays values out before any text reaches the engine: `Format-List` wraps a long
 * value over lines, a table cuts it to a column (`tk_9f3a…`), by the width or by a column's
 * own `Width`. The session masks secrets in the values before its formatter lays them out,
 * so no piece and no prefix of one is printed or recorded (screen, transcript, sidecar);
 * what a cell lays out itself (`Out-String -Width 60`) is text by then, and a prefix cut
 * short there is masked before its `…`. Real pwsh, through the CLI.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onPath } from '../src/engine/process/which.js';
import { parseLines, runCli, tempDir } from './runner-support.js';

const hasPwsh = onPath('pwsh');

/** A token no text contains by chance: every 8 characters of it occur once. */
function token(length: number, seed: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let state = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    out += alphabet[state % alphabet.length];
  }
  return out;
}

const SECRET = `tk_${token(297, 7)}`;
/** Not a secret by its name: only the rule for passwords in URLs can mask it. */
const URL_PASSWORD = token(250, 11);

/** Every run of 8 characters of `secret` found in `text` (a piece, a prefix, the whole). */
function pieces(text: string, secret: string): string[] {
  const found = new Set<string>();
  for (let at = 0; at + 8 <= secret.length; at++) if (text.includes(secret.slice(at, at + 8))) found.add(secret.slice(at, at + 8));
  return [...found];
}

function cell(name: string, ...lines: string[]): string[] {
  return [`## ${name}`, '', `\`\`\`powershell {name=${name}}`, ...lines, '```', ''];
}

const RUNBOOK = [
  '# Formatted secrets', '',
  ...cell('list', "[pscustomobject]@{ name = 'api'; token = $env:API_TOKEN } | Format-List"),
  ...cell('label', '[pscustomobject]@{ $env:API_TOKEN = 1 } | Format-List'),
  ...cell('table-default', "[pscustomobject]@{ name = 'api'; token = $env:API_TOKEN; note = 'n' * 150 }"),
  ...cell('table', "[pscustomobject]@{ name = 'api'; token = $env:API_TOKEN; note = 'n' * 150 } | Format-Table"),
  ...cell('autosize', "[pscustomobject]@{ name = 'api'; token = $env:API_TOKEN } | Format-Table -AutoSize"),
  ...cell('widths', "[pscustomobject]@{ id = 1; token = $env:API_TOKEN; n = 'x' } | Format-Table @{ Expression = 'id'; Width = 4 }, @{ Expression = 'token'; Width = 12 }, n"),
  ...cell('wrap', "[pscustomobject]@{ id = 1; token = $env:API_TOKEN } | Format-Table -Wrap @{ Expression = 'token'; Width = 30 }, id"),
  ...cell('wide', "[pscustomobject]@{ token = $env:API_TOKEN }, [pscustomobject]@{ token = 'b' } | Format-Wide token -Column 4"),
  ...cell('custom', '[pscustomobject]@{ token = $env:API_TOKEN } | Format-Custom'),
  ...cell('own-layout', '[pscustomobject]@{ id = 1; token = $env:API_TOKEN } | Format-Table | Out-String -Width 60'),
  ...cell('own-wrap', "[pscustomobject]@{ id = 1; token = $env:API_TOKEN } | Format-List | Out-String -Width 60", "Write-Output ('x' * 50 + $env:API_TOKEN + ' tail') | Out-String -Width 40"),
  ...cell('url', '[pscustomobject]@{ url = "postgres://app:$($env:PART)@db.internal:5432/prod" } | Format-List'),
  // The cell's own formatted data, used again: masked on screen, untouched in the file.
  ...cell('kept', "$t = [pscustomobject]@{ token = $env:API_TOKEN } | Format-List", '$t', "$t | Out-File -Width 1000 kept.txt"),
  // Past the output cap: the rest goes to a sidecar file.
  ...cell('long', "1..600 | ForEach-Object { [pscustomobject]@{ id = $_; token = $env:API_TOKEN; pad = 'p' * 2000 } } | Format-List"),
].join('\n');

describe.skipIf(!hasPwsh)('secrets in output PowerShell formats', () => {
  it('appear nowhere, whole, in pieces or as a prefix: not on screen, in the transcript or in a sidecar', async () => {
    const dir = tempDir('runbook-pwsh-format-');
    writeFileSync(join(dir, 'f.md'), RUNBOOK);
    const transcript = join(dir, 't.jsonl');
    const result = await runCli(['run', 'f.md', '--yes', '--allow-writes', '--keep-going', '--transcript', transcript], { cwd: dir, env: { API_TOKEN: SECRET, PART: URL_PASSWORD } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const recorded = readFileSync(transcript, 'utf8');
    const sidecars = readdirSync(dir).filter((name) => name.endsWith('.log'));
    expect(sidecars.length).toBeGreaterThan(0);
    const files = sidecars.map((name) => readFileSync(join(dir, name), 'utf8')).join('\n');
    for (const [where, text] of [['screen', result.stdout + result.stderr], ['transcript', recorded], ['sidecar', files]] as const) {
      expect(pieces(text, SECRET), where).toEqual([]);
      expect(pieces(text, URL_PASSWORD), where).toEqual([]);
    }
    // Each view still shows the masked value where the secret stood.
    const output = (id: string) =>
      parseLines(recorded)
        .filter((e) => e.type === 'cell.output' && (e as { cell: string }).cell === id)
        .map((e) => (e as { data: string }).data)
        .join('');
    expect(output('list')).toMatch(/token : \*{8}\n/);
    expect(output('table')).toMatch(/api {2}\*{8} /);
    expect(output('widths')).toMatch(/ {3}1 \*{8} {5}x/);
    expect(output('own-layout')).toContain('********…');
    // Wrapped by the cell's own layout: each piece masked where it stood.
    expect(output('own-wrap')).toMatch(/token : \*{8}\n( +\*{8}\n)+/);
    expect(output('url')).toContain('url : postgres://app:********@db.internal:5432/prod');
    expect(readFileSync(join(dir, 'kept.txt'), 'utf8')).toContain(SECRET);
  }, 180_000);
});
