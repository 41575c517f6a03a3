/**
 * State that carries from one shell cell to the next, by hand-over rather than a
 * long-lived session: each cell runs in a fresh interpreter (so a timeout or cancel
 * kills cleanly), and on exit a small epilogue writes the environment and working
 * directory to a file the next cell starts from. Exported variables (every assignment,
 * since sh runs with `set -a`) and `cd` carry; functions, aliases and PowerShell
 * variables that are not `$env:` do not. A killed cell hands nothing over.
 */
import { readFile, rm } from 'node:fs/promises';

/** Variables the shell maintains itself, and the wrapper's own: never carried. */
const NOT_CARRIED = /^(?:_|SHLVL|PWD|OLDPWD|__runbook_\w*)$/;

export class CarriedState {
  private readonly changed = new Map<string, string>();
  private readonly unset = new Set<string>();
  cwd: string | undefined;

  /** The environment a cell starts with: what the runner gives, updated by earlier cells. */
  envFor(base: Record<string, string>): Record<string, string> {
    const env = { ...base };
    for (const name of this.unset) delete env[name];
    for (const [name, value] of this.changed) env[name] = value;
    return env;
  }

  /** Records what a cell changed between the environment it got and the one it left. */
  absorb(before: Record<string, string>, after: Record<string, string>, cwd: string | undefined): void {
    for (const [name, value] of Object.entries(after)) {
      if (NOT_CARRIED.test(name) || before[name] === value) continue;
      this.changed.set(name, value);
      this.unset.delete(name);
    }
    for (const name of Object.keys(before)) {
      if (NOT_CARRIED.test(name) || name in after) continue;
      this.unset.add(name);
      this.changed.delete(name);
    }
    if (cwd) this.cwd = cwd;
  }
}

export interface WrapperFiles {
  cell: string;
  /** Where the epilogue writes `{ env, cwd }` as JSON. */
  state: string;
}

export function shQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export function powershellQuote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * POSIX sh wrapper: the EXIT trap runs on normal end, `exit N` and `set -e` stops alike,
 * and keeps the cell's exit status. Node (already here) writes the state as JSON, which
 * is simpler to read back safely than `export -p`.
 */
export function shWrapper(files: WrapperFiles, stopOnError: boolean): string {
  const dump = `require('fs').writeFileSync(process.argv[1], JSON.stringify({ env: process.env, cwd: process.cwd() }))`;
  return [
    '__runbook_save() {',
    '  __runbook_status=$?',
    '  set +e',
    `  ${shQuote(process.execPath)} -e ${shQuote(dump)} ${shQuote(files.state)} || true`,
    '  exit "$__runbook_status"',
    '}',
    'trap __runbook_save EXIT',
    'set -a',
    ...(stopOnError ? ['set -e', 'if (set -o pipefail) 2>/dev/null; then set -o pipefail; fi'] : []),
    `. ${shQuote(files.cell)}`,
    '',
  ].join('\n');
}

/**
 * PowerShell wrapper: errors stop the cell (native commands too, on pwsh 7.3+), a failed
 * native command keeps its exit code, and `finally` writes the state even after `exit`.
 */
export function powershellWrapper(files: WrapperFiles, prelude: string, stopOnError: boolean): string {
  return [
    ...(stopOnError ? ["$ErrorActionPreference = 'Stop'", '$PSNativeCommandUseErrorActionPreference = $true'] : []),
    prelude.trimEnd(),
    'try {',
    `  . ${powershellQuote(files.cell)}`,
    '} catch {',
    '  if ($_.Exception -is [System.Management.Automation.NativeCommandExitException]) { Write-Error $_ -ErrorAction Continue; exit $_.Exception.ExitCode }',
    '  throw',
    '} finally {',
    `  @{ env = [System.Environment]::GetEnvironmentVariables(); cwd = (Get-Location).Path } | ConvertTo-Json -Compress | Set-Content -LiteralPath ${powershellQuote(files.state)} -Encoding utf8`,
    '}',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/** The state a cell left, or undefined when it left none (killed, or the epilogue failed). */
export async function readState(file: string): Promise<{ env: Record<string, string>; cwd?: string } | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  await rm(file, { force: true });
  try {
    const parsed = JSON.parse(text.replace(/^\uFEFF/, '')) as { env?: Record<string, unknown>; cwd?: unknown };
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(parsed.env ?? {})) if (typeof value === 'string') env[name] = value;
    return typeof parsed.cwd === 'string' ? { env, cwd: parsed.cwd.trim() } : { env };
  } catch {
    return undefined;
  }
}
