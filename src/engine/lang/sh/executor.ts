/**
 * Shell cells (sh/bash and PowerShell) in real processes: plain bash cells through one
 * long-lived bash session per executor (bash-session.ts), PowerShell cells in one pwsh
 * session (pwsh.ts), other interpreters spawned per cell through execa (process-tree.ts).
 * Each cell runs in a fresh interpreter in its own process group; state (exported
 * variables, cwd) carries to the next cell of the same shell by hand-over (see
 * shell-session.ts). A failing command stops an sh cell by default (`set -e -o pipefail`),
 * like psql's ON_ERROR_STOP for SQL cells; a cell that wants to carry on says `set +e`.
 * PowerShell cells run by PowerShell's own rules (see powershell/executor.ts), unless the
 * runbook asks for `errorAction: stop`.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { basename, join, win32 } from 'node:path';
import type { Lang } from '../../runbook.js';
import { shellCellIo, shellCwd, goneCwd, type BackgroundRun, type ExecutionResult, type Executor } from '../executor.js';
import type { TreeOutcome } from '../../process/process-tree.js';

/**
 * A process per cell (sh, zsh, bash with options, background cells) goes through execa,
 * ~300 modules to load: imported on the first such cell, so a run whose bash cells all
 * go to the session never loads them.
 */
let tree: typeof import('../../process/process-tree.js') | undefined;
const processTree = async () => (tree ??= await import('../../process/process-tree.js'));
import { runInTerminal } from './terminal-cell.js';
import { errorsAtRunbook } from './error-positions.js';
import { createPwshExecutor, stopsAtFirstError } from '../powershell/executor.js';
import { CarriedState, powershellWrapper, readState, shWrapper, shWrapperBody, shWrapperDefinitions } from '../../process/shell-session.js';
import { ownScratchDir, removeFile, safeName } from '../../process/scratch.js';
import { SessionKeeper } from './session-keeper.js';
import { GATE_LINES, gateInWrapper } from '../../process/session-protocol.js';
import { defaultInterpreterName } from '../default-interpreter.js';

export interface ShellExecutorOptions {
  lang: 'sh' | 'powershell';
  /**
   * The program and its own arguments, as the run plan resolved them (an absolute path),
   * or a program name as given (looked up on PATH when it starts). Default: the language's.
   */
  interpreter?: string | { command: string; args: string[] };
  /** sh: stop the cell at the first failing command (`set -e -o pipefail`). Default true. PowerShell cells follow their `errorAction`. */
  stopOnError?: boolean;
  /** Between SIGTERM and SIGKILL when a cell's process tree is ended. Default 2000. */
  killGraceMs?: number;
}

export function createShellExecutor(options: ShellExecutorOptions): Executor {
  if (options.lang === 'powershell') {
    const [program, ...args] = interpreterFor(options, { PATH: process.env.PATH ?? '' });
    if (args.length === 0 && runsInPwshSession(program!)) return createPwshExecutor({ ...options, interpreter: program! });
  }
  const state = new CarriedState();
  let dir: string | undefined;
  let cells = 0;
  const workDir = () => (dir ??= ownScratchDir('runbook-shell-'));
  const graceMs = options.killGraceMs ?? 2000;
  // One hand-over file for every cell of this executor (cells run one at a time).
  const stateFile = () => join(workDir(), 'state');
  const stopOnError = options.stopOnError ?? true;
  // A spare runs only cells whose environment exports no bash function (useSpare): `command` reaches bash's own commands.
  const sessions = new SessionKeeper(workDir, graceMs, () => shWrapperDefinitions(stateFile(), 'command'));
  return {
    lang: options.lang satisfies Lang,
    // A process per cell (gate.ts) and the bash session's jobs (session-protocol.ts) both start behind a gate.
    gated: true,
    async run(context) {
      const files = { cell: join(workDir(), `${++cells}-${safeName(context.cell.id)}${options.lang === 'sh' ? '.sh' : '.ps1'}`), state: stateFile() };
      const env = state.envFor(context.env, context.pinned);
      const [program, ...extra] = interpreterFor(options, env);
      // Plain bash: one long-lived session per executor instead of a process spawned per cell.
      const inSession = !context.terminal && options.lang === 'sh' && basename(program!) === 'bash' && extra.length === 0;
      const gated = inSession && gateInWrapper(env);
      // bash imports a function named `command` from the environment: the wrapper goes through `builtin` then.
      const bashFunction = (name: string) => basename(program!) === 'bash' && env[`BASH_FUNC_${name}%%`] !== undefined;
      const bypass = bashFunction('command') ? 'builtin' : 'command';
      if (options.lang === 'sh' && bashFunction('command') && bashFunction('builtin')) {
        // Nothing is left to reach bash's own commands by: the cell would not run, and look as if it had.
        return {
          status: 'failed',
          error: { message: 'the environment exports bash functions named both `command` and `builtin`, which no wrapper can get past; unexport one (export -fn builtin) and run the cell again', code: 'ESHELLFUNCTIONS' },
        };
      }
      const wrapperFile = join(workDir(), options.lang === 'sh' ? (gated ? 'run-gated.sh' : 'run.sh') : 'run.ps1');
      // Synchronous: a few small files, and a thread-pool round trip each cost more than the write.
      const writeWrapper = () => writeFileSync(wrapperFile, options.lang === 'sh' ? shWrapper(files, stopOnError, gated ? GATE_LINES : [], bypass) : powershellWrapper(files, stopsAtFirstError(context)));
      writeFileSync(files.cell, context.source.endsWith('\n') ? context.source : `${context.source}\n`);
      // A session cell run in a spare needs no wrapper file (the session keeper writes it for a job).
      if (!inSession) writeWrapper();
      const cwd = shellCwd(context, state.cwd);
      const io = shellCellIo(context, graceMs);
      const cell = { ...io, onStderr: errorsAtRunbook(io.onStderr, files.cell, wrapperFile, context.document ?? 'runbook', context.cell.sourceLine) };
      const gone = goneCwd(context, state.cwd);
      if (gone) io.onStderr(`runbook: the directory an earlier cell left the shell in (${gone}) is gone; this cell starts in ${cwd}\n`);
      let outcome: TreeOutcome;
      if (context.terminal && options.lang === 'sh') {
        // Runme's interactive, in the console: the operator's terminal, not the session's pipes (terminal-cell.ts).
        outcome = runInTerminal({
          program: program!,
          args: processArgs(options.lang, program!, extra, wrapperFile),
          cwd,
          env,
          ...(context.timeoutMs ? { timeoutMs: context.timeoutMs } : {}),
          logFile: join(workDir(), `${cells}-terminal.log`),
          terminal: context.terminal,
          onOutput: cell.onStdout,
          onNote: cell.onStderr,
        });
      } else if (inSession) {
        outcome = await sessions.run({ env, cwd, program: program!, wrapperFile, gateInWrapper: gated }, cell, { write: writeWrapper, spareText: () => shWrapperBody(files.cell, stopOnError, bypass) });
      } else {
        outcome = await (await processTree()).runProcessTree(program!, processArgs(options.lang, program!, extra, wrapperFile), { ...cell, cwd, env });
      }
      removeFile(files.cell);
      const left = await readState(files.state);
      const envChanges = left && !outcome.endedBy && !outcome.sessionLost ? state.absorb(env, left) : [];
      return { ...resultOf(outcome, program!, context.timeoutMs), ...(envChanges.length ? { envChanges } : {}) };
    },
    async readyToStart() {
      await processTree();
    },
    start(context) {
      // Its own process, not the session: a background cell must not block the next one. It starts
      // from the environment and directory the session carries, and hands nothing back.
      const env = state.envFor(context.env, context.pinned);
      const cwd = shellCwd(context, state.cwd);
      const [program, ...extra] = interpreterFor(options, env);
      const file = join(workDir(), `${++cells}-${safeName(context.cell.id)}-background${options.lang === 'sh' ? '.sh' : '.ps1'}`);
      const prologue = options.lang === 'sh' && stopOnError ? 'set -e\n(set -o pipefail) 2>/dev/null && set -o pipefail\n' : '';
      writeFileSync(file, `${prologue}${context.source.endsWith('\n') ? context.source : `${context.source}\n`}`);
      const run: BackgroundRun = { done: Promise.resolve({ status: 'failed' }) };
      const spawn = (loaded: NonNullable<typeof tree>) =>
        loaded.runProcessTree(program!, processArgs(options.lang, program!, extra, file), {
          ...shellCellIo(context, graceMs),
          cwd,
          env,
          onGroup: (pgid) => (run.pgid = pgid),
        });
      // Spawned before start returns once readyToStart has loaded the module (the runner awaits it).
      run.done = (tree ? spawn(tree) : processTree().then(spawn)).then((outcome) => {
        rmSync(file, { force: true });
        return resultOf(outcome, program!, context.timeoutMs);
      });
      return run;
    },
    async close() {
      sessions.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    },
  };
}

/** The interpreter and its own arguments: the executor's (from the cell's plan), or the language's default. */
function interpreterFor(options: ShellExecutorOptions, env: Record<string, string>): string[] {
  const given = options.interpreter;
  if (typeof given === 'object') return [given.command, ...given.args];
  return [given ?? defaultInterpreterName(options.lang, env.PATH ?? process.env.PATH ?? '')];
}

function processArgs(lang: 'sh' | 'powershell', program: string, extra: string[], wrapperFile: string): string[] {
  if (lang === 'powershell') return [...extra, '-NoProfile', '-NonInteractive', '-File', wrapperFile];
  // Not an interactive shell: no profile or rc file may add output or change state. Bash
  // takes its long options only before the short ones, so `bash -x` becomes `bash --noprofile --norc -x`.
  return basename(program) === 'bash' ? ['--noprofile', '--norc', ...extra, wrapperFile] : [...extra, wrapperFile];
}

/**
 * A PowerShell 7 runs cells in one session, whatever it is called: `pwsh`, a path to one, or
 * another name (`pwsh7`, a link, a wrapper that execs it), which is asked once what it is.
 * Anything else named as a PowerShell cell's interpreter (Windows PowerShell 5.1, a stand-in,
 * a command with arguments) gets a process per cell with `-NoProfile -NonInteractive -File`.
 * The session's channel is a local socket on every OS (session-channel.ts), so Windows runs
 * the same session (`pwsh.exe` is pwsh by name there; `\` separates its path's parts).
 */
export function runsInPwshSession(program: string): boolean {
  if (/^pwsh(\.exe)?$/i.test(win32.basename(program.trim()))) return true;
  let known = powershell7.get(program);
  if (known === undefined) {
    known = answersAsPowerShell7(program);
    powershell7.set(program, known);
  }
  return known;
}

const powershell7 = new Map<string, boolean>();

/**
 * One start of the program, asked to print its edition and major version after a marker, so
 * a stand-in or a wrapper that echoes its arguments cannot pass by accident. Only for
 * interpreters not named pwsh, once per run: a pwsh start costs 0.3-1 s.
 */
function answersAsPowerShell7(program: string): boolean {
  const probe = spawnSync(program, ['-NoProfile', '-NonInteractive', '-Command', "Write-Output ('runbook-probe=' + $PSVersionTable.PSEdition + '/' + $PSVersionTable.PSVersion.Major)"], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 20_000,
  });
  const answer = /^runbook-probe=Core\/(\d+)\s*$/m.exec(probe.stdout ?? '');
  return answer !== null && Number(answer[1]) >= 7;
}

function resultOf(outcome: TreeOutcome, program: string, timeoutMs: number | undefined): ExecutionResult {
  if (outcome.endedBy === 'timeout') {
    return { status: 'timed-out', error: { message: `timed out after ${formatMs(timeoutMs ?? 0)}; the process tree was killed`, code: 'ETIMEDOUT' } };
  }
  if (outcome.endedBy === 'cancel') return { status: 'cancelled', error: { message: 'cancelled; the process tree was killed', code: 'ECANCELED' } };
  if (outcome.sessionLost) return { status: 'failed', error: { message: `${outcome.sessionLost} while the cell ran; the next cell starts a new one`, code: 'ESESSION' } };
  if (outcome.spawnError) {
    const missing = outcome.spawnError.code === 'ENOENT';
    return {
      status: 'failed',
      error: { message: missing ? `interpreter not found: ${program} (install it or set the cell's interpreter attribute)` : `could not start ${program}: ${outcome.spawnError.message}`, code: outcome.spawnError.code },
    };
  }
  if (outcome.exitCode === undefined) {
    return { status: 'failed', error: { message: `killed by ${outcome.signal ?? 'a signal'}`, code: outcome.signal ?? 'SIGNAL' } };
  }
  if (outcome.exitCode !== 0) {
    return { status: 'failed', exitCode: outcome.exitCode, error: { message: `exit code ${outcome.exitCode}`, code: String(outcome.exitCode) } };
  }
  return { status: 'succeeded', exitCode: 0 };
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
