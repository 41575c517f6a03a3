/**
 * State that carries from one shell cell to the next, by hand-over rather than by one
 * interpreter living on: each cell runs in a fresh interpreter (so a timeout or cancel
 * kills cleanly; for bash it is started by a long-lived session, see bash-session.ts,
 * which holds no state of its own), and on exit a small epilogue writes the environment and working
 * directory to a file the next cell starts from. Exported variables (every assignment,
 * since sh runs with `set -a`) and `cd` carry; functions, aliases and PowerShell
 * variables that are not `$env:` do not. A killed cell hands nothing over.
 */
import { readFileSync } from 'node:fs';
import { removeFile } from './scratch.js';

/** Variables the shell maintains itself, the wrapper's own, and bound values (each cell gets its own): never carried. */
const NOT_CARRIED = /^(?:_|SHLVL|PWD|OLDPWD|__runbook_\w*|RUNBOOK_VAR_\w*)$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class CarriedState {
  private readonly changed = new Map<string, string>();
  private readonly unset = new Set<string>();
  cwd: string | undefined;

  /**
   * The environment a cell starts with: what the runner gives, updated by earlier cells;
   * `pinned` names win over what earlier cells did (a drill's target, reset before every cell).
   */
  envFor(base: Record<string, string>, pinned: Readonly<Record<string, string | undefined>> = {}): Record<string, string> {
    const env = { ...base };
    for (const name of this.unset) delete env[name];
    for (const [name, value] of this.changed) env[name] = value;
    for (const [name, value] of Object.entries(pinned)) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    return env;
  }

  /** Records what a cell changed between the environment it got and the one it left; returns those changes. */
  absorb(before: Record<string, string>, left: LeftState): EnvChange[] {
    const { env: after, cwd } = left;
    const changes: EnvChange[] = [];
    for (const [name, value] of Object.entries(after)) {
      if (NOT_CARRIED.test(name) || before[name] === value) continue;
      this.changed.set(name, value);
      this.unset.delete(name);
      changes.push({ name, ...(before[name] !== undefined ? { from: before[name] } : {}), to: value });
    }
    for (const name of Object.keys(before)) {
      if (NOT_CARRIED.test(name) || name in after || (left.identifiersOnly && !IDENTIFIER.test(name))) continue;
      this.unset.add(name);
      this.changed.delete(name);
      changes.push({ name, from: before[name] as string });
    }
    if (cwd) this.cwd = cwd;
    return changes;
  }
}

/** A variable a cell set, changed (`from` and `to`) or unset (no `to`), as it left it for the next cell. */
export interface EnvChange {
  name: string;
  from?: string;
  to?: string;
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

/** Records of the NUL-separated state file: a header naming how it was captured, then the
 * cwd, then `NAME=value` records, then the end mark (a file without it was cut short). */
const HEADER_NAMES = 'runbook-state:names';
const HEADER_ENV = 'runbook-state:env';
const END = 'runbook-state:end';

/**
 * POSIX sh wrapper: the EXIT trap runs on normal end, `exit N` and `set -e` stops alike,
 * and keeps the cell's exit status. The state is captured in the shell itself — a process
 * per cell for it cost ~60 ms (a Node start) — as NUL-separated records, safe for any
 * value: bash lists its exported variables with builtins (no exec at all), other shells
 * use `env -0`, and only where neither works does Node write the same records.
 * The bash-only syntax sits in an `eval` so that dash never has to parse it. `gate`: lines
 * to run first (a bash session's cell waits there for its gate, see session-protocol.ts).
 */
export function shWrapper(files: WrapperFiles, stopOnError: boolean, gate: readonly string[] = [], bypass: 'command' | 'builtin' = 'command'): string {
  // A gate (session-protocol.ts) before anything else: a shut gate exits before the EXIT trap is set.
  return [...gate, shWrapperDefinitions(files.state, bypass), shWrapperBody(files.cell, stopOnError, bypass)].join('\n');
}

/**
 * The wrapper's first part: it only defines the hand-over's functions and runs nothing of a cell,
 * so a bash session's spare defines them while it waits for its cell (session-protocol.ts
 * spareFileScript), off the path from one cell to the next. `state`: where the hand-over goes.
 */
export function shWrapperDefinitions(state: string, bypass: 'command' | 'builtin' = 'command'): string {
  const dump = `const fs = require('fs'); const records = [${JSON.stringify(HEADER_ENV)}, process.cwd(), ...Object.entries(process.env).map(([n, v]) => n + '=' + v), ${JSON.stringify(END)}]; fs.writeFileSync(process.argv[1], records.map((r) => r + '\\0').join(''))`;
  // The list of names goes through a file rather than `$(compgen -e)`: no fork either.
  // `builtin`: a cell may have defined a function named printf or read.
  const names = shQuote(`${state}.names`);
  // bash 4+: the names in one mapfile and the records in one printf (one write). A `read`
  // loop cost a read, two lseeks and a write per variable: ~0.35 ms of CPU a cell (docs/performance.md).
  const bashCapture = [
    'if ((BASH_VERSINFO[0] >= 4)); then',
    `  __runbook_capture() { builtin compgen -e > ${names} && builtin mapfile -t __runbook_names < ${names} && __runbook_r=() && for __runbook_n in "\${__runbook_names[@]}"; do __runbook_r+=("$__runbook_n=\${!__runbook_n}"); done && builtin printf '%s\\0' ${HEADER_NAMES} "$PWD" "\${__runbook_r[@]}" ${END}; }`,
    'else',
    `  __runbook_capture() { builtin compgen -e > ${names} && builtin printf '%s\\0' ${HEADER_NAMES} "$PWD" && while IFS= builtin read -r __runbook_n; do builtin printf '%s=%s\\0' "$__runbook_n" "\${!__runbook_n}"; done < ${names} && builtin printf '%s\\0' ${END}; }`,
    'fi',
  ].join('\n');
  // Commands go through `command` (bash and dash: no function lookup), `case` and `if` are
  // keywords: a function the runbook's environment exports (bash imports it before the first
  // line) or the cell defines, named `[`, `set`, `trap`, `eval`, `printf` or `.`, must not
  // change what the wrapper does. Only a function named `command` itself would: bash is then
  // given `builtin` (`bypass`), and the hand-over undoes both.
  return [
    'case ${BASH_VERSION-} in',
    `  ?*) ${bypass} eval ${shQuote(bashCapture)} ;;`,
    // `command`: a function the cell named printf or env must not write the hand-over.
    `  *) __runbook_capture() { command printf '%s\\0' ${HEADER_ENV} "$PWD" && command env -0 && command printf '%s\\0' ${END}; } ;;`,
    'esac',
    '__runbook_save() {',
    // In a group with stderr closed, so that a cell's `set -x` neither traces nor leaks values.
    // First the cell's functions named `command` or `builtin` go (the shell exits after this):
    // `unset` is a special builtin, which POSIX mode finds before any function (bash enters it
    // while POSIXLY_CORRECT is set; an assignment no function can intercept; dash always is).
    // POSIXLY_CORRECT is then put back as the cell left it: it is handed over like any variable.
    '  { __runbook_status=$?; __runbook_px=${POSIXLY_CORRECT+x}; __runbook_pv=${POSIXLY_CORRECT-}',
    '    if POSIXLY_CORRECT=y; then unset -f command builtin; fi',
    '    case $__runbook_px in x) POSIXLY_CORRECT=$__runbook_pv ;; *) unset POSIXLY_CORRECT ;; esac',
    '    command set +eux; } 2>/dev/null',
    // The capture writes the end mark itself, as a builtin: a cell may have defined a function named printf.
    `  { __runbook_capture > ${shQuote(state)}; } 2>/dev/null ||`,
    `    ${shQuote(process.execPath)} -e ${shQuote(dump)} ${shQuote(state)} 2>/dev/null || command true`,
    '  command exit "$__runbook_status"',
    '}',
  ].join('\n');
}

/** The wrapper's second part: the EXIT trap that hands the state over, the options, then the cell. */
export function shWrapperBody(cell: string, stopOnError: boolean, bypass: 'command' | 'builtin' = 'command'): string {
  return [
    // In a group with stderr closed: a cell's `set -x` must not print `+ __runbook_save` as the trap runs.
    `${bypass} trap '{ __runbook_save; } 2>/dev/null' EXIT`,
    `${bypass} set -a`,
    // bash has pipefail; only other shells need the probe, which costs a subshell.
    ...(stopOnError ? [`${bypass} set -e`, `case \${BASH_VERSION-} in ?*) ${bypass} set -o pipefail ;; *) if (command set -o pipefail) 2>/dev/null; then command set -o pipefail; fi ;; esac`] : []),
    `${bypass} . ${shQuote(cell)}`,
    '',
  ].join('\n');
}

/**
 * PowerShell wrapper (a pwsh that is not the run's session: a process per cell): PowerShell's
 * default preferences unless the cell asks to stop at its first error (native commands too,
 * on pwsh 7.3+); a failed native command keeps its exit code, `exit N` ends the process with
 * N, and `finally` writes the state even after `exit`. The status is `pwsh -File`'s: a last
 * command that failed leaves it 0 here (the session counts errors and fails such a cell;
 * a line appended to record `$?` would show in a cell's `Set-PSDebug -Trace`).
 */
export function powershellWrapper(files: WrapperFiles, stopAtFirstError: boolean): string {
  return [
    ...(stopAtFirstError ? ["$ErrorActionPreference = 'Stop'", '$PSNativeCommandUseErrorActionPreference = $true'] : []),
    // Dot-sourced, so the cell runs in the script's scope as before; DebuggerHidden, so a
    // cell's `Set-PSDebug -Trace 1` traces the cell's lines, never the hand-over after it.
    '. {',
    '  [System.Diagnostics.DebuggerHidden()]',
    '  param()',
    '  try {',
    // A script block made from the file, not the file dot-sourced: a script file's `exit N` only
    // leaves that file (the wrapper went on and exited 0), a script block's leaves the wrapper with N.
    `    . ([scriptblock]::Create([System.IO.File]::ReadAllText(${powershellQuote(files.cell)}) ))`,
    '  } catch {',
    '    if ($_.Exception -is [System.Management.Automation.NativeCommandExitException]) { Write-Error $_ -ErrorAction Continue; exit $_.Exception.ExitCode }',
    '    throw',
    '  } finally {',
    `    @{ env = [System.Environment]::GetEnvironmentVariables(); cwd = (Get-Location).Path } | ConvertTo-Json -Compress | Set-Content -LiteralPath ${powershellQuote(files.state)} -Encoding utf8`,
    '  }',
    '}',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

export interface LeftState {
  env: Record<string, string>;
  cwd?: string;
  /** Only names that are shell identifiers were listed (bash's own list of exports): others were not seen, not unset. */
  identifiersOnly?: boolean;
}

/** The state a cell left, or undefined when it left none (killed, or the epilogue failed). */
export async function readState(file: string): Promise<LeftState | undefined> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  removeFile(file);
  return text.startsWith('runbook-state:') ? parseRecords(text) : parseJson(text);
}

function parseRecords(text: string): LeftState | undefined {
  const records = text.split('\0');
  // A complete file ends with the end mark and a final NUL, which leaves one empty record.
  if (records.pop() !== '' || records.pop() !== END) return undefined;
  const [header, cwd, ...variables] = records;
  if ((header !== HEADER_NAMES && header !== HEADER_ENV) || cwd === undefined) return undefined;
  const env: Record<string, string> = {};
  for (const record of variables) {
    const equals = record.indexOf('=');
    if (equals > 0) env[record.slice(0, equals)] = record.slice(equals + 1);
  }
  const left: LeftState = { env, identifiersOnly: header === HEADER_NAMES };
  if (cwd !== '') left.cwd = cwd;
  return left;
}

/** PowerShell's epilogue writes JSON (ConvertTo-Json, in pwsh itself). */
function parseJson(text: string): LeftState | undefined {
  try {
    const parsed = JSON.parse(text.replace(/^\uFEFF/, '')) as { env?: Record<string, unknown>; cwd?: unknown };
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(parsed.env ?? {})) if (typeof value === 'string') env[name] = value;
    return typeof parsed.cwd === 'string' ? { env, cwd: parsed.cwd.trim() } : { env };
  } catch {
    return undefined;
  }
}
