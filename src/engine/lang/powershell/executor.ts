/**
 * PowerShell cells in real pwsh (7+), one session per executor, i.e. per run and
 * interpreter (pwsh-session.ts): variables, functions, modules and dot-sourced scripts
 * carry from cell to cell, and pwsh's start-up is paid once. The executor keeps the
 * environment and location each cell left (as the sh executor does), so that a session
 * killed by a pipeline that would not stop is replaced by one that starts from them.
 * A cell runs by PowerShell's own rules, as its text would under `pwsh -File` with the
 * default preferences (nothing is imposed, so nothing leaks into the scripts it calls): an
 * error that ends only its statement there (`[int]::Parse('x')`) is written and the cell goes
 * on; a script-terminating one (`throw`, a 'Stop') fails it with exit code 1, `exit N` ends it with N, and
 * otherwise `$?` of its last statement decides (with `$LASTEXITCODE` when that was a native
 * command or a script) — where `pwsh -File` would exit 0, a cell whose last command failed
 * fails, as the operator reads it. Errors it wrote and went on after (error records,
 * statements that exited non-zero) are counted in the result's `errors`. `errorAction: stop`
 * (frontmatter or cell attribute) opts into stop-at-first-error: `$ErrorActionPreference =
 * 'Stop'` and `$PSNativeCommandUseErrorActionPreference = $true` for the cell, and a
 * statement that exits non-zero ends it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellCellIo, shellCwd, type ExecutionContext, type ExecutionResult, type Executor } from '../executor.js';
import { homedir, platform } from 'node:os';
import { pwshHostCache, pwshHostFiles, pwshHostKey } from './host-script.js';
import { PwshSession, type ParseReport, type PwshOutcome, type PwshQuestion } from './session.js';
import { scratchRoot, safeName } from '../../process/scratch.js';
import { CarriedState } from '../../process/shell-session.js';
import { createRedactor } from '../../redact.js';

/** Without the run's masking (a test's executor), still the rules every text gets: passwords in URLs. */
const NO_MASK = createRedactor([]).rules;

export interface PwshExecutorOptions {
  /** The pwsh to run: a name on PATH or a path. */
  interpreter: string;
  /** How long a stopped pipeline and its native commands get before they are killed. Default 2000. */
  killGraceMs?: number;
  /** Where the cells' host DLL is kept between runs. Default: the user's cache (pwshHostCache). */
  hostCache?: string;
}

export interface PwshExecutor extends Executor {
  /** PowerShell's own parser, in the run's session (started if need be). */
  parse(source: string, at?: readonly number[]): Promise<ParseReport>;
  /** Which version of its hot paths the current session's host runs (see host.ps1's $tools), once it is ready. */
  readonly hostPaths: 'compiled' | 'script' | undefined;
}

export function createPwshExecutor(options: PwshExecutorOptions): PwshExecutor {
  const state = new CarriedState();
  const graceMs = options.killGraceMs ?? 2000;
  let dir: string | undefined;
  let cells = 0;
  let session: PwshSession | undefined;
  const workDir = () => (dir ??= mkdtempSync(join(scratchRoot(), 'runbook-pwsh-')));
  const sessionFor = (env: Record<string, string>) => {
    if (session?.alive) return session;
    const files = pwshHostFiles();
    const script = join(workDir(), 'host.ps1');
    for (const [name, text] of Object.entries(files)) writeFileSync(join(workDir(), name), text);
    session = new PwshSession(options.interpreter, script, env, workDir(), workDir(), options.hostCache ?? pwshHostCache(process.env, homedir(), platform() === 'win32'), pwshHostKey(files));
    return session;
  };

  return {
    lang: 'powershell',
    get hostPaths() {
      return session?.hostPaths;
    },
    parse(source, at = []) {
      return sessionFor(processEnv()).parse(source, at);
    },
    startSession() {
      sessionFor(processEnv());
    },
    async run(context) {
      const env = state.envFor(context.env, context.pinned);
      const cwd = shellCwd(context, state.cwd);
      const file = join(workDir(), `${++cells}-${safeName(context.cell.id)}.ps1`);
      // The host adds the steps and the status line (Add-Steps in host.ps1).
      writeFileSync(file, context.source);
      const job = {
        file,
        cwd,
        env,
        stop: stopsAtFirstError(context),
        interactive: context.ask !== undefined,
        document: context.document ?? 'runbook',
        firstLine: context.cell.sourceLine,
        mask: context.mask ?? NO_MASK,
      };
      const io = shellCellIo(context, graceMs);
      const cell = context.ask ? { ...io, ask: askThrough(context.ask, io.onStdout) } : io;
      let outcome: PwshOutcome;
      try {
        outcome = await sessionFor(env).run(job, cell);
        // The session had died between cells: the cell never started, so it may run on a new one.
        if (outcome.sessionLostBeforeStart) outcome = await sessionFor(env).run(job, cell);
      } finally {
        rmSync(file, { force: true });
      }
      const envChanges = outcome.left ? state.absorb(env, outcome.left) : [];
      if (outcome.killed) {
        cell.onStderr(
          `runbook: the pipeline did not stop within ${formatMs(graceMs + 1000)}; the PowerShell session was restarted: ` +
            '$env: values and the location carry to the next cell, variables, functions and modules do not\n',
        );
      }
      return { ...resultOf(outcome, options.interpreter, context), ...(envChanges.length ? { envChanges } : {}) };
    },
    async close() {
      session?.close(graceMs);
      session = undefined;
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    },
  };
}

function processEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  return env;
}

function resultOf(outcome: PwshOutcome, program: string, context: ExecutionContext): ExecutionResult {
  const how = outcome.killed ? 'the session was killed and will restart' : "the cell's pipeline and its native commands were stopped";
  if (outcome.endedBy === 'timeout') {
    return { status: 'timed-out', error: { message: `timed out after ${formatMs(context.timeoutMs ?? 0)}; ${how}`, code: 'ETIMEDOUT' } };
  }
  if (outcome.endedBy === 'cancel') return { status: 'cancelled', error: { message: `cancelled; ${how}`, code: 'ECANCELED' } };
  if (outcome.spawnError) {
    const missing = outcome.spawnError.code === 'ENOENT';
    return {
      status: 'failed',
      error: {
        message: missing ? `interpreter not found: ${program} (install PowerShell 7 or set the cell's interpreter attribute)` : `could not start ${program}: ${outcome.spawnError.message}`,
        code: outcome.spawnError.code,
      },
    };
  }
  if (outcome.refused) {
    const { prompt, declined, by } = outcome.refused;
    const asked = prompt ? `${by} asked "${prompt}"` : `${by} asked for input`;
    return {
      status: 'failed',
      ...(outcome.errors ? { errors: outcome.errors } : {}),
      error: { message: declined ? `${asked} and no answer was given; the cell stopped there` : `${asked} and an unattended run cannot answer; the cell stopped there (run it in the console)`, code: 'EPROMPT' },
    };
  }
  if (outcome.sessionLost) return { status: 'failed', error: { message: `${outcome.sessionLost} while the cell ran; the next cell starts a new one`, code: 'ESESSION' } };
  if (outcome.hostError) return { status: 'failed', error: { message: `the PowerShell session could not run the cell: ${outcome.hostError}`, code: 'ESESSION' } };
  const code = outcome.exitCode ?? 1;
  const errors = outcome.errors ? { errors: outcome.errors } : {};
  if (code !== 0) return { status: 'failed', exitCode: code, ...errors, error: { message: `exit code ${code}`, code: String(code) } };
  return { status: 'succeeded', exitCode: 0, ...errors };
}

/**
 * Read-Host or a confirmation, asked of the operator: the question and the answer join the
 * cell's output as a terminal shows them (`Type 'YES': YES`; a confirmation's caption and
 * message above its `[Y] Yes  [N] No …: y`), a secure answer masked; its value is never recorded.
 */
function askThrough(ask: NonNullable<ExecutionContext['ask']>, onStdout: (text: string) => void): (question: PwshQuestion) => Promise<string | undefined> {
  return async (question) => {
    const answer = await ask(question);
    if (answer === undefined) return answer;
    const above = question.detail?.length ? [...(question.by ? [question.by] : []), ...question.detail].join('\n') + '\n' : '';
    onStdout(`${above}${question.prompt ? `${question.prompt}: ` : ''}${question.secure ? '********' : answer}\n`);
    return answer;
  };
}

/** `errorAction: stop` on the cell, or in the frontmatter for every cell (cells.ts fills it in). */
export function stopsAtFirstError(context: Pick<ExecutionContext, 'cell'>): boolean {
  return context.cell.attributes.errorAction === 'stop';
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
