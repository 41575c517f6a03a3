/**
 * What a long-lived bash session and the executor say to each other. The executor writes
 * each job's text, prefixed with its length in bytes and a colon, to the session's fd 3
 * (never the cells' stdin, which is /dev/null). For each job the session forks a subshell — its own process group,
 * thanks to `set -m` — that sets the cell's exact environment and cwd and then execs a
 * fresh bash on the cell's wrapper, so a cell sees the same interpreter as before (`$$`,
 * options, no session functions) and a timeout or cancel kills only the cell's group.
 * The session reports `start <pgid>` and `end <status>` on fd 4; the job runs nothing of the
 * cell until the executor answers `start` with one NUL on fd 3 (its gate: by then the cell's
 * group is registered and on record). The fresh bash usually waits at that gate itself, as
 * the first line of its wrapper (GATE_LINES), so its start-up (exec, libraries, locale)
 * overlaps the sync of `cell.started` instead of following it; after a cell the next one's bash is
 * usually started at once, as a spare (spareScript), so its start-up overlaps the engine's work
 * between the two cells as well. After the cell ends the session
 * writes a random sentinel to stdout and stderr, so the executor knows it has every byte
 * the cell wrote before it calls the cell finished.
 */
import { shQuote } from './shell-session.js';
import { findProgram } from './which.js';

/** Environment names bash can set with `export`; others pass through only from the session's own start. */
export const SHELL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The first line of a spare's cell (spareCellScript), which the session never runs as a job. */
const SPARE_MARK = '#runbook-spare-cell';

/** Names bash will not let a cell's prelude set (read-only or maintained by the shell). */
const NOT_SETTABLE = /^(?:BASHOPTS|SHELLOPTS|BASHPID|BASH_VERSINFO|EUID|PPID|UID|_)$/;

/**
 * The session's main loop. Its own stderr goes to /dev/null, so that job-control notices
 * ("[1]+ Done") never reach a cell's output; the cells get the real stderr back from fd 6.
 * Leftover background members of a finished cell get SIGTERM before the sentinel, so
 * they rarely write after it (the executor SIGKILLs what is left after the grace period).
 * It runs as `bash -p` (bash-session.ts): no exported function can replace its commands.
 */
export const SESSION_SCRIPT = [
  'exec 6>&2 2>/dev/null',
  'set -m',
  '__runbook_sentinel=$1',
  // Each job comes as `<byte length>:<text>`. bash reads a pipe one byte per read(2) for
  // `read -d` (it must not read past the delimiter), which cost ~2,400 reads a cell; `read -N`
  // of a known length reads it in one (LC_ALL=C: -N counts characters, the length is in bytes).
  // A gate byte (NUL) that found its job gone is skipped by the length's `read`, as read skips NULs.
  "while IFS= read -r -d : __runbook_len <&3 && LC_ALL=C IFS= read -r -N \"$__runbook_len\" __runbook_job <&3; do",
  // Empty, or a spare's cell whose spare died before it read it (spareCellScript): nothing to run.
  `  case $__runbook_job in "" | '${SPARE_MARK}'*) continue ;; esac`,
  // The job's text comes over the pipe, never through a file: it holds the cell's environment, secrets included.
  // fd 3 stays open in the job until its gate opens (jobScript).
  '  ( exec 2>&6 6>&- 4>&- </dev/null; eval "$__runbook_job" ) &',
  '  __runbook_pid=$!',
  "  printf 'start %s\\n' \"$__runbook_pid\" >&4",
  '  wait "$__runbook_pid"',
  '  __runbook_status=$?',
  '  kill -TERM -- "-$__runbook_pid"',
  "  printf '%s' \"$__runbook_sentinel\"",
  "  printf '%s' \"$__runbook_sentinel\" >&6",
  "  printf 'end %s\\n' \"$__runbook_status\" >&4",
  'done',
  '',
].join('\n');

export interface Job {
  env: Record<string, string>;
  cwd: string;
  /** The bash to exec for the cell. */
  program: string;
  wrapperFile: string;
  /** The session's start environment: what the job's fork inherits before the job changes it. */
  sessionEnv: Readonly<Record<string, string>>;
  /**
   * Created exclusively by whoever gets there first: the cell as it starts, or the
   * executor after the session died (see BashSession). It lies in the reaper's directory,
   * so the cell's group is registered to die with the CLI before the cell runs a line.
   */
  claimFile: string;
  /** The reaper's mark: when it exists the CLI is gone and the cell must not start. */
  deadMark: string;
  /** The wrapper starts with GATE_LINES: the job execs bash before the gate opens (see gateInWrapper). */
  gateInWrapper: boolean;
}

/**
 * The gate, as shell lines: one NUL from the executor once the group is on record; EOF (the
 * CLI is gone, or it shut the gate on a cancelled cell) and nothing runs. fd 3 is the
 * session's job pipe, closed once the byte is in.
 */
export const GATE_LINES = ["IFS= builtin read -r -d '' __runbook_gate <&3 || exit 125", 'exec 3<&-'];

/**
 * Whether the cell's bash may start before its gate opens, waiting at the first line of its
 * wrapper. Nothing the runbook's environment names may run before `cell.started` is on
 * record, so not when the environment holds what bash or the loader runs as bash starts:
 * BASH_ENV (sourced before the first line); an exported function (imported at start-up: one
 * named `read` or `exec` would replace the gate line itself, and the cell would not wait);
 * SHELLOPTS (xtrace expands PS4, which may run a command, before the gate line); the dynamic
 * loader's LD_* and glibc's GCONV_PATH (code loaded into bash before its first line). Then
 * the gate stays in the session's job, before the exec, as it was.
 */
export function gateInWrapper(env: Record<string, string>): boolean {
  if (env.BASH_ENV !== undefined || env.SHELLOPTS !== undefined || env.GCONV_PATH !== undefined) return false;
  return !Object.keys(env).some((name) => name.startsWith('BASH_FUNC_') || name.startsWith('LD_'));
}

/**
 * The options bash reads from the environment as it starts. The session (`bash -p`) ignored
 * them, and rewrites the exported ones to its own options, `privileged` included (a cell's bash
 * would then import no function): the cell's bash gets the runbook's values through `env`,
 * an exec more, only when one of them is in either environment.
 */
const OPTION_VARIABLES = ['SHELLOPTS', 'BASHOPTS'];

/** `env` itself, where POSIX systems keep it (not the cell's PATH: the runbook may change that). */
let envProgram: string | null | undefined;
const envPath = () => (envProgram ??= findProgram('env', '/usr/bin:/bin') ?? null) ?? undefined;

/** How the job execs the cell's bash: through `env` when the options bash reads from the environment must be the runbook's. */
function execLine(job: Job): string {
  const bash = `${shQuote(job.program)} --noprofile --norc ${shQuote(job.wrapperFile)}`;
  const options = OPTION_VARIABLES.filter((name) => job.env[name] !== undefined || job.sessionEnv[name] !== undefined);
  if (options.length === 0) return `exec ${bash}`;
  const env = envPath();
  // No env program: the cell gets the session's options without privileged mode (and without the runbook's).
  if (!env) return `set +mp; exec ${bash}`;
  const settings = options.map((name) => (job.env[name] !== undefined ? shQuote(`${name}=${job.env[name]}`) : `-u ${name}`));
  return `exec ${shQuote(env)} ${settings.join(' ')} ${bash}`;
}

/** Variables bash itself sets or resets as it starts (the session's differ from its start environment): always set by the job. */
const SHELL_MAINTAINED = ['PWD', 'OLDPWD', 'SHLVL', 'IFS'];

/**
 * The per-cell job: claim the cell, then exactly this environment, this cwd, and a fresh
 * bash on the wrapper. The fork inherits the session's start environment, so the job
 * exports only what differs from it (it sent all ~2 KB every cell, parsed by bash each
 * time), plus what bash maintains itself; the variables the cell must not have are unset
 * by name, so no `compgen` fork is needed here. The claim (noclobber: an exclusive create, and a
 * builtin) holds the cell's pid, so a cell orphaned by a dying session can still be found.
 */
export function jobScript(job: Job): string {
  const { exports, unset } = environmentLines(job);
  return [
    `{ set -C; printf '%s' "$BASHPID" > ${shQuote(job.claimFile)}; } 2>/dev/null || exit 125`,
    `[ ! -e ${shQuote(job.deadMark)} ] || exit 125`,
    // Here, or as the wrapper's first line (the exec below keeps fd 3 open for it).
    ...(job.gateInWrapper ? [] : GATE_LINES),
    'set +C',
    '{',
    `  unset __runbook_len __runbook_job __runbook_pid __runbook_status __runbook_sentinel${unset.map((name) => ` ${name}`).join('')}`,
    ...exports.map((line) => `  ${line}`),
    '} 2>/dev/null',
    `cd -- ${shQuote(job.cwd)} || exit 1`,
    execLine(job),
    '',
  ].join('\n');
}

/**
 * A spare: the next cell's bash, started while the engine finishes the cell before it (its
 * `cell.finished`, the screen, the next decision), so that its fork, exec and start-up are off
 * the path from one cell to the next. The session forks it like a job (its own group, its claim
 * written first, so the reaper knows it) and it execs bash on spareFileScript, which waits for
 * its cell on fd 3: the executor sends the cell (spareCellScript) only after `cell.started` is
 * on record, as it would send the gate's byte; EOF, or an empty cell, and it exits 125 having
 * run nothing. It starts from the session's environment, so only a cell whose environment bash
 * does not read at start-up differently (see useSpare) may run in it.
 */
export function spareScript(job: Pick<Job, 'program' | 'claimFile' | 'deadMark'>, spareFile: string): string {
  return [
    `{ set -C; printf '%s' "$BASHPID" > ${shQuote(job.claimFile)}; } 2>/dev/null || exit 125`,
    `[ ! -e ${shQuote(job.deadMark)} ] || exit 125`,
    'unset __runbook_len __runbook_job __runbook_pid __runbook_status __runbook_sentinel',
    `exec ${shQuote(job.program)} --noprofile --norc ${shQuote(spareFile)}`,
    '',
  ].join('\n');
}

/**
 * The spare's own script: `definitions` (the wrapper's functions, shWrapperDefinitions: they run
 * nothing of a cell) while it waits, then its cell as `<byte length>:<text>` on fd 3, the same
 * framing as a job. It reads exactly that frame and closes fd 3: what follows in the pipe (the
 * next spare's job, see BashSession) is left for the session.
 */
export const spareFileScript = (definitions: string): string =>
  [
    definitions,
    "IFS= builtin read -r -d : __runbook_len <&3 && LC_ALL=C IFS= builtin read -r -N \"$__runbook_len\" __runbook_job <&3 || exit 125",
    'exec 3<&-',
    'case $__runbook_job in "") exit 125 ;; esac',
    'eval "$__runbook_job"',
    '',
  ].join('\n');

/**
 * Whether a cell may run in a spare: bash read the spare's environment as it started, so
 * neither the cell's nor the session's may hold what bash reads only then (gateInWrapper's
 * list: BASH_ENV, SHELLOPTS, functions, the loader's variables; and BASHOPTS, which the session
 * rewrites). What bash reads again when a variable is set (the locale, TZ, POSIXLY_CORRECT) the
 * spare's `export` lines set as a job's do.
 */
export function useSpare(env: Record<string, string>, sessionEnv: Readonly<Record<string, string>>): boolean {
  return gateInWrapper(env) && gateInWrapper(sessionEnv) && env.BASHOPTS === undefined && sessionEnv.BASHOPTS === undefined;
}

/**
 * What the spare runs once its cell is on record: the cell's environment and cwd (as a job
 * sets them before its exec), then the wrapper's body (shWrapperBody: the spare defined the rest as it started).
 */
export function spareCellScript(job: Job, wrapper: string): string {
  // bash adds one to SHLVL as it starts; the spare started from the session's.
  const shlvl = shellLevel(job.env.SHLVL);
  const { exports, unset } = environmentLines({ ...job, env: { ...job.env, SHLVL: shlvl } });
  return [
    // The session skips a text that starts so: one sent to a spare that died first finds the session reading.
    SPARE_MARK,
    'unset __runbook_len __runbook_job',
    `[ ! -e ${shQuote(job.deadMark)} ] || exit 125`,
    // SHLVL is always exported, so the group is never empty.
    '{',
    ...(unset.length ? [`  unset ${unset.join(' ')}`] : []),
    ...exports.map((line) => `  ${line}`),
    '} 2>/dev/null',
    `cd -- ${shQuote(job.cwd)} || exit 1`,
    wrapper,
  ].join('\n');
}

/** bash's own rule for the SHLVL it starts with (variables.c, adjust_shell_level). */
function shellLevel(inherited: string | undefined): string {
  const old = inherited !== undefined && /^\s*[-+]?\d+\s*$/.test(inherited) ? Number(inherited) : 0;
  const level = old + 1;
  return String(level < 0 ? 0 : level >= 1000 ? 1 : level);
}

/** What a job changes of the environment its fork inherited: `unset` names and `export` lines. */
function environmentLines(job: Pick<Job, 'env' | 'sessionEnv'>): { exports: string[]; unset: string[] } {
  const settable = (name: string) => SHELL_IDENTIFIER.test(name) && !NOT_SETTABLE.test(name);
  const unset = [...new Set([...Object.keys(job.sessionEnv), ...SHELL_MAINTAINED])].filter((name) => settable(name) && !(name in job.env));
  const exports = Object.entries(job.env)
    .filter(([name, value]) => settable(name) && (job.sessionEnv[name] !== value || SHELL_MAINTAINED.includes(name)))
    .map(([name, value]) => `export ${name}=${shQuote(value)}`);
  return { exports, unset };
}

/** The environment entries bash cannot set per cell: the session must start with the same ones. */
export function passThroughKey(env: Record<string, string>): string {
  return JSON.stringify(
    Object.entries(env)
      .filter(([name]) => !SHELL_IDENTIFIER.test(name))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/**
 * Passes a stream's text through until the sentinel, holding back a tail that could be
 * the start of a sentinel split across chunks. After the sentinel it passes nothing.
 */
export class SentinelSplitter {
  private held = '';
  done = false;

  constructor(
    private readonly sentinel: string,
    private readonly emit: (text: string) => void,
  ) {}

  push(chunk: string): void {
    if (this.done) return;
    const text = this.held + chunk;
    const at = text.indexOf(this.sentinel);
    if (at >= 0) {
      if (at > 0) this.emit(text.slice(0, at));
      this.held = '';
      this.done = true;
      return;
    }
    const keep = this.partialTail(text);
    this.held = text.slice(text.length - keep);
    const out = text.slice(0, text.length - keep);
    if (out) this.emit(out);
  }

  /** How many characters at the end of `text` are a proper prefix of the sentinel. */
  private partialTail(text: string): number {
    for (let n = Math.min(this.sentinel.length - 1, text.length); n > 0; n--) {
      if (text.endsWith(this.sentinel.slice(0, n))) return n;
    }
    return 0;
  }
}
