/**
 * The host's hot paths exist twice: compiled (host-tools.cs, from the DLL cached once per pwsh
 * version) and as script (host.ps1), which a session runs while that DLL does not exist yet.
 * Both must do exactly the same: the same parse reports for hostile sources at every offset, and
 * the same cells (steps and their error counts, masking, the environment and location carried).
 * A fresh cache makes the first session run the script versions; the DLL it compiles meanwhile
 * makes the next one run the compiled ones. Real pwsh.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPwshExecutor, type PwshExecutor } from '../src/engine/lang/powershell/executor.js';
import { pwshHostFiles, pwshHostKey } from '../src/engine/lang/powershell/host-script.js';
import { onPath } from '../src/engine/process/which.js';
import { createRedactor } from '../src/engine/redact.js';
import { contextFor } from './support/executor-context.js';

const hasPwsh = onPath('pwsh');
const cache = mkdtempSync(join(tmpdir(), 'runbook-host-tools-'));
const work = mkdtempSync(join(tmpdir(), 'runbook-host-tools-cwd-'));
afterAll(() => {
  rmSync(cache, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

const SOURCES = [
  'railway logs --service "<SVC>" | Select-String "sha" | ForEach-Object { $_ } | Where-Object { $_ } | sort',
  "pwsh -NoProfile -c \"Write-Output '<X>'\"; bash -c 'echo <X>'; python3 -c 'print(1)' <X>; cmd /k XVALUE",
  'Invoke-Expression "deploy $env:RUNBOOK_VAR_X"; iex \'a <X>\'; Add-Type -TypeDefinition "<X>"',
  '[scriptblock]::Create("x <X>"); [System.Management.Automation.ScriptBlock]::CREATE(\'y\'); $ps.AddScript("z"); $ExecutionContext.InvokeCommand.ExpandString("<X>"); [ScriptBlock]"w <X>"',
  'echoargs --% a $b "<X>"; & ./tool.ps1 <X>; . ./lib.ps1',
  '"$(railway status --json) and ${env:HOME} $(jq -r .x "$(curl -s <X>)")" # a comment <X>',
  'function Get-Thing { param($a) gci $a }\nfilter Keep { $_ }\nGet-Thing x | Keep | Out-String',
  'if ($x -eq (\n  Write-Output "unclosed',
  'python -m pkg.module --flag; python3 -m http.server 8000; /usr/bin/env psql -c "select <X>"',
  "@'\nhere <X>\n'@ | Out-Host; @\"\n$(hostname) <X>\n\"@",
];

const CELLS = [
  "Write-Output 'one'\n$x = 2; Write-Output \"two $x\"\nWrite-Error 'an error' ; Write-Output after\n$env:HOST_TOOLS_SET = 'set here'\nRemove-Item env:HOST_TOOLS_GONE",
  "if ($true) {\n  Write-Output 'multi-line'\n} else { 'no' }\nWrite-Output \"secret: tk_live_9f8e7d6c5b4a3\"\n[pscustomobject]@{ Name = 'key'; Value = 'tk_live_9f8e7d6c5b4a3' } | Format-List\ncmd-that-does-not-exist-xyz",
  'Set-Location $env:HOST_TOOLS_DIR\nWrite-Output "url postgres://user:pa55word@db.internal:5432/x"\nbash -c "exit 3"',
  'begin { Write-Output begun } end { Write-Output ended }',
  "Write-Output 'unclosed",
];

interface Observed {
  paths: string | undefined;
  parses: unknown[];
  cells: { result: unknown; stdout: string; stderr: string }[];
}

async function observe(executor: PwshExecutor): Promise<Observed> {
  const parses: unknown[] = [];
  for (const source of SOURCES) {
    const at = Array.from({ length: source.length + 1 }, (_, i) => i);
    parses.push(await executor.parse(source, at));
  }
  const mask = createRedactor(['tk_live_9f8e7d6c5b4a3']).rules;
  const cells: Observed['cells'] = [];
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', HOST_TOOLS_GONE: 'here', HOST_TOOLS_DIR: work };
  for (const [index, source] of CELLS.entries()) {
    const run = contextFor('powershell', source, { env, mask, id: `cell-${index}`, cwd: process.cwd() });
    const result = await executor.run(run.context);
    // The executor carries what a cell left (environment, location) to the next one itself.
    cells.push({ result, stdout: run.output('stdout'), stderr: run.output('stderr') });
  }
  return { paths: executor.hostPaths, parses, cells };
}

describe.skipIf(!hasPwsh)("the host's hot paths: compiled and script do the same", () => {
  it('same parse reports at every offset, same cells, on both paths', async () => {
    const first = createPwshExecutor({ interpreter: 'pwsh', killGraceMs: 1000, hostCache: cache });
    let script: Observed;
    try {
      script = await observe(first);
    } finally {
      await first.close();
    }
    expect(script.paths).toBe('script');
    // The first session compiled the DLL in the background (seconds, more on a loaded machine).
    await expect.poll(() => readdirSync(cache).some((name) => /^prompt-host-[0-9a-f]{16}-[\w.-]+\.dll$/.test(name)), { timeout: 120_000, interval: 500 }).toBe(true);
    const second = createPwshExecutor({ interpreter: 'pwsh', killGraceMs: 1000, hostCache: cache });
    let compiled: Observed;
    try {
      compiled = await observe(second);
    } finally {
      await second.close();
    }
    expect(compiled.paths).toBe('compiled');
    // What the paths are about, so that equal results are not equally empty.
    const report = script.parses[1] as { spots: { reparsed?: string }[]; commands: { name: string; powershell: boolean }[] };
    expect(new Set(report.spots.map((s) => s.reparsed).filter(Boolean))).toEqual(new Set(['the program text of pwsh -c', 'the program text of bash -c', 'the program text of python3 -c', 'the program text of cmd -k']));
    expect(script.cells[0]!.result).toMatchObject({ status: 'succeeded', errors: 1, envChanges: expect.arrayContaining([{ name: 'HOST_TOOLS_GONE', from: 'here' }, { name: 'HOST_TOOLS_SET', to: 'set here' }]) });
    expect(script.cells[1]!.stdout).toContain('secret: ********');
    expect(script.cells[1]!.stdout).not.toContain('tk_live');
    expect(script.cells[2]!.result).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(existsSync(work)).toBe(true);
    expect(compiled.parses).toEqual(script.parses);
    expect(compiled.cells).toEqual(script.cells);
  }, 300_000);
});

describe.skipIf(!hasPwsh)("PowerShell's own commands, kept beside the DLL", () => {
  const modules = mkdtempSync(join(tmpdir(), 'runbook-modules-'));
  const keep = mkdtempSync(join(tmpdir(), 'runbook-host-tools-keep-'));
  const config = mkdtempSync(join(tmpdir(), 'runbook-host-tools-config-'));
  const saved = { PSModulePath: process.env.PSModulePath, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    for (const dir of [modules, keep, config]) rmSync(dir, { recursive: true, force: true });
  });
  const module = (name: string, fn: string) => {
    mkdirSync(join(modules, name), { recursive: true });
    writeFileSync(join(modules, name, `${name}.psm1`), `function ${fn} { 'ran' }\nExport-ModuleMember -Function ${fn}\n`);
  };
  /** Which of the names the session calls PowerShell's own, in a new session on the cache. */
  const own = async (names: string[]) => {
    const executor = createPwshExecutor({ interpreter: 'pwsh', killGraceMs: 1000, hostCache: keep });
    try {
      const report = await executor.parse(names.join('; '));
      // A cell waits for the DLL a first session compiles (closed sooner, it would not finish it).
      expect(await executor.run(contextFor('powershell', 'Write-Output 1').context)).toMatchObject({ status: 'succeeded' });
      return { paths: executor.hostPaths, own: report.commands.filter((c) => c.powershell).map((c) => c.name) };
    } finally {
      await executor.close();
    }
  };
  const kept = () => readdirSync(keep).find((name) => /^commands-[0-9a-f]{16}-[\w.-]+\.txt$/.test(name));
  const names = ['Invoke-RbAlpha', 'Invoke-RbBeta', 'Invoke-RbFromTheFile', 'Get-Date'];

  it('is read while the modules are as they were, and listed again when a module is added or edited', async () => {
    // The session's environment is the CLI's: its module path, with pwsh's own folders added.
    process.env.PSModulePath = modules;
    // Where pwsh reads the user's settings (powershell.config.json, beside $PROFILE).
    process.env.XDG_CONFIG_HOME = config;
    module('RbAlpha', 'Invoke-RbAlpha');
    expect(await own(names)).toEqual({ paths: 'script', own: ['Invoke-RbAlpha', 'Get-Date'] });
    await expect.poll(() => readdirSync(keep).some((name) => name.endsWith('.dll')), { timeout: 120_000, interval: 500 }).toBe(true);
    expect(kept()).toBeUndefined();
    // Compiled: listed, and kept.
    expect(await own(names)).toEqual({ paths: 'compiled', own: ['Invoke-RbAlpha', 'Get-Date'] });
    const file = join(keep, kept()!);
    // Read from the file while nothing changed: a name written into it counts.
    writeFileSync(file, `${readFileSync(file, 'utf8')}Invoke-RbFromTheFile\n`);
    expect((await own(names)).own).toEqual(['Invoke-RbAlpha', 'Invoke-RbFromTheFile', 'Get-Date']);
    // A module installed: listed again (and the name only the file had is gone).
    module('RbBeta', 'Invoke-RbBeta');
    expect((await own(names)).own).toEqual(['Invoke-RbAlpha', 'Invoke-RbBeta', 'Get-Date']);
    // A module edited in place (its folder's time may not change): listed again.
    writeFileSync(file, `${readFileSync(file, 'utf8')}Invoke-RbFromTheFile\n`);
    writeFileSync(join(modules, 'RbBeta', 'RbBeta.psm1'), "function Invoke-RbGamma { 'ran' }\nExport-ModuleMember -Function Invoke-RbGamma\n");
    expect((await own([...names, 'Invoke-RbGamma'])).own).toEqual(['Invoke-RbAlpha', 'Get-Date', 'Invoke-RbGamma']);
    // PowerShell's settings written (experimental features add and remove commands): listed again.
    writeFileSync(file, `${readFileSync(file, 'utf8')}Invoke-RbFromTheFile\n`);
    expect((await own(names)).own).toEqual(['Invoke-RbAlpha', 'Invoke-RbFromTheFile', 'Get-Date']);
    mkdirSync(join(config, 'powershell'), { recursive: true });
    writeFileSync(join(config, 'powershell', 'powershell.config.json'), '{}\n');
    writeFileSync(file, `${readFileSync(file, 'utf8')}Invoke-RbFromTheFile\n`);
    expect((await own(names)).own).toEqual(['Invoke-RbAlpha', 'Get-Date']);
  }, 300_000);
});

describe('the key that names the DLL (and the kept listing)', () => {
  it('is the C# sources’ hash: the same for the same texts, another when either changes', () => {
    const files = pwshHostFiles();
    const key = pwshHostKey(files);
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(pwshHostKey({ ...files })).toBe(key);
    expect(pwshHostKey({ ...files, 'prompt-host.cs': `${files['prompt-host.cs']} ` })).not.toBe(key);
    expect(pwshHostKey({ ...files, 'host-tools.cs': `${files['host-tools.cs']} ` })).not.toBe(key);
    expect(pwshHostKey({ 'prompt-host.cs': 'ab', 'host-tools.cs': 'c' })).not.toBe(pwshHostKey({ 'prompt-host.cs': 'a', 'host-tools.cs': 'bc' }));
  });
});
