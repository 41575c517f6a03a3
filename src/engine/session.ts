/**
 * Everything a run needs, built once from the command line: the runbook, the target,
 * the bound values, the transcript. Shared by `run`, `resume` and the TUI, so all three
 * bind values, resolve targets and mask secrets the same way.
 */
import { userInfo } from 'node:os';
import { resolveRunLog } from './log/config.js';
import { logHeaderText } from './log/delivery.js';
import { startRunLog, type RunLog } from './log/run-log.js';
import { readRunbookFile } from './parse.js';
import { isSecretName } from './redact.js';
import { Runner } from './runner.js';
import { newRunId } from './runner/start.js';
import { selectCells } from './runner/plan.js';
import { InputError } from './errors.js';
import { declaredDatabase, resolveTarget, type Target } from './target.js';
import { defaultTranscriptPath, TranscriptWriter } from './transcript.js';
import { neededNames, parseVarFlags, resolveVariables, type BoundVariable } from './variables.js';
import type { EventSink, RunMode } from './events.js';
import type { Operator } from './operator.js';
import type { Runbook } from './runbook.js';
import type { ResumePoint, RunnerOptions } from './runner/types.js';

/** The flags of `runbook run` (and the subset `resume` shares), as commander gives them. */
export interface RunFlags {
  db?: string;
  yes?: boolean;
  dryRun?: boolean;
  var?: string[];
  from?: string;
  only?: string;
  transcript?: string;
  json?: boolean;
  keepGoing?: boolean;
  allowWrites?: boolean;
  strict?: boolean;
  actor?: string;
  /** SSH private key to sign the transcript with when the run ends. */
  signKey?: string;
  /** The shared incident log (see src/engine/log/). */
  log?: string;
  incident?: string;
}

/** What the TUI gets: enough to draw the header, and a way to make the runner it drives. */
export interface InteractiveOptions {
  runbook: Runbook;
  target: Target;
  transcriptPath: string;
  actor: string;
  /** Set when continuing a run (`runbook resume`): cells already finished are not offered again. */
  resumed?: { runId: string; finished: string[] };
  /**
   * A runner whose operator is the TUI. Subscribe the TUI's sink with `runner.subscribe`
   * before `runner.run()`; `runner.abort()` on Ctrl-C; resolve to `summary.exitCode`.
   */
  createRunner(operator: Operator): Runner;
  /** With a shared log: its state for the console's header, short ("log: unreachable"), undefined when it keeps up. */
  logStatus?: (listener: (text: string | undefined) => void) => () => void;
}

export interface Session {
  runbook: Runbook;
  target: Target;
  mode: RunMode;
  actor: string;
  variables: BoundVariable[];
  transcript: TranscriptWriter;
  /** The shared incident log the run delivers to, if any. */
  log?: RunLog;
  createRunner(operator: Operator, sinks?: EventSink[]): Runner;
  interactiveOptions(): InteractiveOptions;
  /** Closes the transcript (flushes, releases its lock), then the log; resolves to lines to tell the operator. */
  close(): Promise<string[]>;
}

export interface SessionInput {
  runbook: Runbook;
  flags: RunFlags;
  argv: string[];
  mode: RunMode;
  env?: NodeJS.ProcessEnv;
  resume?: ResumePoint & { transcriptPath: string; variables: BoundVariable[] };
}

export function modeOf(flags: RunFlags): RunMode {
  if (flags.dryRun) return 'dry-run';
  return flags.yes ? 'unattended' : 'interactive';
}

export function actorOf(flags: RunFlags, env: NodeJS.ProcessEnv = process.env): string {
  if (flags.actor) return flags.actor;
  if (env.USER) return env.USER;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** `--only a,b`. Given but naming no cell (`--only ''`, `--only ,,`) is a usage error, never "every cell". */
export function onlyOf(flags: RunFlags): string[] | undefined {
  if (flags.only === undefined) return undefined;
  const ids = flags.only.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0) throw new InputError(`--only ${JSON.stringify(flags.only)} names no cell; give cell ids, e.g. --only stuck-jobs,blocked-queries (runbook list shows them)`);
  return ids;
}

/**
 * A frontmatter that does not parse loses its `secret:`, `pattern:` and `database:`: a run
 * without them would mask less, validate less and pick another database. Refused like lint.
 */
export function refuseBrokenFrontmatter(runbook: Runbook): void {
  const problem = runbook.diagnostics.find((d) => d.rule === 'frontmatter' && d.severity === 'error');
  if (problem) {
    throw new InputError(`${runbook.path}:${problem.line}:${problem.column}: error: ${problem.message} (frontmatter); fix it before running (runbook lint ${runbook.path})`);
  }
}

export async function readSessionRunbook(file: string): Promise<Runbook> {
  return readRunbookFile(file);
}

/** Binds values, resolves the target and opens the transcript. Bad input throws InputError. */
export async function openSession(input: SessionInput): Promise<Session> {
  const { runbook, flags, argv, mode } = input;
  const env = input.env ?? process.env;
  refuseBrokenFrontmatter(runbook);
  const only = onlyOf(flags);
  const logTarget = resolveRunLog(flags, env, input.runbook);
  const cells = selectCells(runbook, { from: flags.from, only, interactive: mode === 'interactive' }).filter((c) => c.attributes.skip !== true);
  const flagValues = parseVarFlags(flags.var ?? []);
  refuseTargetVariables(flagValues, runbook);
  // A resumed run keeps the values it had; flags given now win, secrets must come again.
  const carried = Object.fromEntries((input.resume?.variables ?? []).map((v) => [v.name, v.value]));
  const { bound } = resolveVariables({ runbook, flags: { ...carried, ...flagValues }, env, needed: neededNames(cells) });
  const variables = bound.map((v) => {
    const old = input.resume?.variables.find((r) => r.name === v.name);
    return old && flagValues[v.name] === undefined ? { ...v, source: old.source } : v;
  });
  const target = await resolveTarget({ db: flags.db, env, runbook, needsDatabase: cells.some((c) => c.lang === 'sql') });
  const secrets = [...secretEnvValues(env), ...(logTarget?.secrets ?? [])];
  const actor = actorOf(flags, env);
  // One id for the run and its file name, so the two never tell different times.
  const runId = input.resume?.runId ?? newRunId();
  const transcriptPath = input.resume?.transcriptPath ?? flags.transcript ?? defaultTranscriptPath(runbook.path, runId);
  const transcript = await TranscriptWriter.open(transcriptPath, { append: input.resume !== undefined });
  // The transcript first, then the log: the log's sink comes before every screen's and only reads what is on disk.
  const log = logTarget ? startRunLog(logTarget, transcript.path) : undefined;

  const createRunner = (operator: Operator, sinks: EventSink[] = []): Runner => {
    const options: RunnerOptions = {
      runId,
      runbook,
      operator,
      target,
      mode,
      variables,
      secrets,
      sinks: log ? [log.sink, ...sinks] : sinks,
      actor,
      argv,
      from: flags.from,
      only,
      keepGoing: flags.keepGoing,
      strict: flags.strict,
      allowWrites: flags.allowWrites,
      transcript,
      resume: input.resume,
      env,
    };
    return new Runner(options);
  };
  return {
    runbook,
    target,
    mode,
    actor,
    variables,
    transcript,
    ...(log ? { log } : {}),
    createRunner,
    interactiveOptions: () => ({
      runbook,
      target,
      transcriptPath: transcript.path,
      actor,
      ...(input.resume ? { resumed: { runId: input.resume.runId, finished: input.resume.skipCells } } : {}),
      createRunner: (operator: Operator) => createRunner(operator),
      ...(log ? { logStatus: (listener: (text: string | undefined) => void) => log.onStatus((_line, status) => listener(logHeaderText(status))) } : {}),
    }),
    close: async () => {
      await transcript.close();
      return log ? [await log.finish()] : [];
    },
  };
}

/**
 * `--var DATABASE_URL=…` (or the variable the frontmatter's `database:` names) would point
 * shell cells at another database than the one the run shows and guards: refused.
 */
function refuseTargetVariables(flagValues: Record<string, string>, runbook: Runbook): void {
  const reserved = ['DATABASE_URL', 'RUNBOOK_DATABASE_URL', declaredDatabase(runbook)?.variable].filter((n): n is string => n !== undefined);
  const given = reserved.find((name) => flagValues[name] !== undefined);
  if (given) {
    throw new InputError(`--var ${given}: the database target is not a variable; choose it with --db URL (or RUNBOOK_DATABASE_URL)`);
  }
}

/**
 * Values of every secret-named environment variable present (AWS_SECRET_ACCESS_KEY,
 * PGPASSWORD, *_TOKEN…), referenced by a cell or not: `env | grep TOKEN` prints them too.
 * Very short values are left out (a `*_KEY=1` flag would mask every 1), and so are paths.
 */
export function secretEnvValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => isSecretName(name) && typeof value === 'string' && value.length >= 6 && !/^\/[\w./-]*$/.test(value))
    .map(([, value]) => value as string);
}
