/**
 * Everything a run needs, in the order a command must get it: `prepareSession` reads and
 * checks (the selection, the values, the target's identity, the transcript) and plans,
 * touching nothing; `open()` then starts the sandbox when it is the target and opens the
 * transcript. A command that refuses does so before `open()`, so it changes no file and
 * starts nothing. Shared by `run`, `resume` and the console.
 */
import { InputError } from './errors.js';
import { resolveRunLog, type LogTarget } from './log/config.js';
import type { RunLog } from './log/run-log.js';
import type { NotifyFilter } from './notify/filter.js';
import { startNotifier, type Notifier } from './notify/notifier.js';
import { Runner } from './runner.js';
import { newRunId } from './runner/start.js';
import { planRun, type RunPlan, type Selection } from './plan/index.js';
import { chooseTarget, confirmSeed, declaredDatabase, startTarget, unstartedSandbox, type Target, type TargetChoice } from './target.js';
import { defaultTranscriptPath, TranscriptWriter } from './transcript.js';
import { resolveVariables, secretEnvValues, type BoundVariable } from './variables.js';
import type { EventSink, RunEvent, RunMode } from './events.js';
import type { Operator } from './operator.js';
import type { Runbook } from './runbook.js';
import type { SeedReview } from './sandbox/seed-review.js';
import type { ResumePoint, RunnerOptions } from './runner/types.js';

/** What the TUI gets: enough to draw the header, and a way to make the runner it drives. */
export interface InteractiveOptions {
  runbook: Runbook;
  target: Target;
  transcriptPath: string;
  actor: string;
  /** Which cells run, and why the others do not. */
  plan: RunPlan;
  /**
   * A runner whose operator is the TUI. Subscribe the TUI's sink with `runner.subscribe`
   * before `runner.run()`; `runner.abort()` on Ctrl-C.
   */
  createRunner(operator: Operator): Runner;
  /** A resumed run's earlier events, for the console to show its history from. */
  history?: readonly RunEvent[];
  /** With a shared log: its state for the console's header, short ("log: unreachable"), undefined when it keeps up. */
  logStatus?: (listener: (text: string | undefined) => void) => () => void;
}

export interface Session {
  runbook: Runbook;
  target: Target;
  mode: RunMode;
  actor: string;
  plan: RunPlan;
  variables: BoundVariable[];
  transcript: TranscriptWriter;
  /** The shared incident log the run delivers to, if any. */
  log?: RunLog;
  createRunner(operator: Operator, sinks?: EventSink[]): Runner;
  interactiveOptions(): InteractiveOptions;
  /** Closes the transcript (flushes, releases its lock), then the log; resolves to lines to tell the operator. */
  close(): Promise<string[]>;
}

/** A run that continues a transcript (`runbook resume`), as read from it. */
export interface SessionResume extends ResumePoint {
  transcriptPath: string;
  /** Non-secret values the run had; flags given now win, secrets must come again. */
  variables: BoundVariable[];
  /** The target the run started against, as recorded (URL masked). */
  target: { kind: string; url: string };
  /** The transcript's events so far (the console shows them as history). */
  history?: readonly RunEvent[];
}

/** A validated request: values already split from their flags by the command. */
export interface SessionRequest {
  runbook: Runbook;
  selection: Selection;
  mode: RunMode;
  /** `--db`. */
  db?: string;
  /** `--var NAME=VALUE`, as names and values. */
  values: Record<string, string>;
  actor: string;
  argv: string[];
  /** `--detected-at`, ISO 8601 UTC. */
  detectedAt?: string;
  /** `--transcript`; default ./transcripts/<runbook>-<time>.jsonl. Ignored on resume. */
  transcriptPath?: string;
  keepGoing?: boolean;
  strict?: boolean;
  allowWrites?: boolean;
  /** Dry run: rehearse every SQL write on the target (the sandbox is started for it). */
  rehearse?: boolean;
  /** `--log URL` and `--incident ID`: the shared incident log (see src/engine/log/). */
  log?: string;
  incident?: string;
  /** `--notify CMD` (or frontmatter `notify:`): events as NDJSON on a command's stdin (see src/engine/notify/). */
  notify?: { command: string; filter: NotifyFilter };
  env?: NodeJS.ProcessEnv;
  resume?: SessionResume;
  /** Asked, before anything starts, about a sandbox seed that reaches outside the database and was never confirmed; true runs it. Absent: such a seed is refused. */
  confirmSeed?: (review: SeedReview) => Promise<boolean>;
}

export interface PreparedSession {
  runId: string;
  plan: RunPlan;
  target: TargetChoice;
  variables: BoundVariable[];
  transcriptPath: string;
  /** The first side effects: start the sandbox if it is the target, then open (lock, repair) the transcript. */
  open(): Promise<Session>;
}

/** Checks and plans; throws InputError for bad input. Opens, starts and connects nothing. */
export async function prepareSession(request: SessionRequest): Promise<PreparedSession> {
  const { runbook, mode, resume } = request;
  const env = request.env ?? process.env;
  refuseBrokenFrontmatter(runbook);
  refuseTargetVariables(request.values, runbook);
  const logTarget = resolveRunLog({ ...(request.log !== undefined ? { log: request.log } : {}), ...(request.incident !== undefined ? { incident: request.incident } : {}) }, env, runbook);
  let choice: TargetChoice | undefined;
  const plan = await planRun({
    runbook,
    selection: request.selection,
    env,
    mode,
    allowWrites: request.allowWrites === true,
    target: (needsDatabase) => (choice = chooseTarget({ db: request.db, env, runbook, needsDatabase })).kind,
  });
  let target = choice as TargetChoice;
  const variables = bindValues(runbook, plan, request.values, env, resume?.variables ?? [], mode);
  if (resume) sameTarget(target, resume.target);
  // One id for the run and its file name, so the two never tell different times.
  const runId = resume?.runId ?? newRunId();
  const transcriptPath = resume?.transcriptPath ?? request.transcriptPath ?? defaultTranscriptPath(runbook.path, runId);
  TranscriptWriter.check(transcriptPath, { append: resume !== undefined });
  const startsSandbox = !(mode === 'dry-run' && !request.rehearse);
  if (startsSandbox) target = await confirmSeed(target, runbook, env, request.confirmSeed);
  return {
    runId,
    plan,
    target,
    variables,
    transcriptPath,
    open: async () => {
      const started = !startsSandbox && target.kind === 'sandbox' ? unstartedSandbox(target) : await startTarget(target, runbook, env);
      const transcript = TranscriptWriter.open(transcriptPath, { append: resume !== undefined });
      // The transcript first, then the log: the log's sink comes before every screen's and only reads what is on disk.
      // Imported only when there is a log: its module graph holds pg, which a run without --log
      // and without a database (bash cells only) would otherwise load for nothing (~90 ms CPU).
      const log = logTarget ? (await import('./log/run-log.js')).startRunLog(logTarget, transcript.path) : undefined;
      const notifier = request.notify ? startNotifier({ ...request.notify, env }) : undefined;
      return sessionOf(request, runId, plan, started, variables, transcript, env, logTarget, log, notifier);
    },
  };
}

/** The values of the cells that will run: flag > resumed transcript > environment > default. */
function bindValues(runbook: Runbook, plan: RunPlan, values: Record<string, string>, env: NodeJS.ProcessEnv, carried: BoundVariable[], mode: RunMode): BoundVariable[] {
  const old = Object.fromEntries(carried.map((v) => [v.name, v.value]));
  const { bound } = resolveVariables({ runbook, flags: { ...old, ...values }, env, needed: plan.neededValues, plan, mode });
  return bound.map((v) => {
    const before = carried.find((r) => r.name === v.name);
    return before && values[v.name] === undefined ? { ...v, source: before.source } : v;
  });
}

/** A resumed run talks to the database the run started against, or (needing none now) to none. */
function sameTarget(now: TargetChoice, recorded: { kind: string; url: string }): void {
  if (now.kind === 'none') return;
  const nowUrl = now.kind === 'postgres' ? now.maskedUrl : '';
  if (now.kind === recorded.kind && (now.kind === 'sandbox' || nowUrl === recorded.url)) return;
  throw new InputError(
    `this run started against ${recorded.kind} ${recorded.url || '(no database)'}, but now resolves ${now.kind} ${nowUrl || '(the sandbox)'}; pass the same --db to resume`,
  );
}

function sessionOf(
  request: SessionRequest,
  runId: string,
  plan: RunPlan,
  target: Target,
  variables: BoundVariable[],
  transcript: TranscriptWriter,
  env: NodeJS.ProcessEnv,
  logTarget: LogTarget | undefined,
  log: RunLog | undefined,
  notifier?: Notifier,
): Session {
  const { runbook, mode, actor, argv, resume } = request;
  const secrets = [...secretEnvValues(env), ...(logTarget?.secrets ?? [])];
  const createRunner = (operator: Operator, sinks: EventSink[] = []): Runner => {
    const options: RunnerOptions = {
      runId,
      runbook,
      operator,
      target,
      mode,
      variables,
      secrets,
      sinks: [...(log ? [log.sink] : []), ...(notifier ? [notifier.sink] : []), ...sinks],
      actor,
      argv,
      ...(request.detectedAt ? { detectedAt: request.detectedAt } : {}),
      plan,
      keepGoing: request.keepGoing,
      strict: request.strict,
      allowWrites: request.allowWrites,
      ...(request.rehearse ? { rehearse: true } : {}),
      transcript,
      ...(resume ? { resume: { runId: resume.runId, nextSeq: resume.nextSeq, ...(resume.statuses ? { statuses: resume.statuses } : {}), ...(resume.attempts ? { attempts: resume.attempts } : {}), ...(resume.unavailable ? { unavailable: resume.unavailable } : {}), ...(resume.settled?.length ? { settled: resume.settled } : {}) } } : {}),
      env,
    };
    const runner = new Runner(options);
    notifier?.attach((body) => runner.recordBeside(body));
    return runner;
  };
  return {
    runbook,
    target,
    mode,
    actor,
    plan,
    variables,
    transcript,
    ...(log ? { log } : {}),
    createRunner,
    interactiveOptions: () => ({
      runbook,
      target,
      transcriptPath: transcript.path,
      actor,
      plan,
      createRunner: (operator: Operator) => createRunner(operator),
      ...(resume?.history ? { history: resume.history } : {}),
      ...(log ? { logStatus: (listener: (text: string | undefined) => void) => log.onStatus((_line, _status, header) => listener(header)) } : {}),
    }),
    close: async () => {
      transcript.close();
      // A transcript that could not be written: one line saying which file, and what to do.
      const failed = transcript.failure ? [`runbook: ${transcript.failure.message}`] : [];
      const notified = notifier ? [await notifier.finish()] : [];
      return log ? [...failed, ...notified, await log.finish()] : [...failed, ...notified];
    },
  };
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
  // So is a misspelt `confirm`, `readonly`, `timeout` or `skip`: the run would go ahead without the protection it names.
  const misspelt = runbook.diagnostics.find((d) => d.rule === 'misspelt-attribute');
  if (misspelt) throw new InputError(`${runbook.path}:${misspelt.line}:${misspelt.column}: error: ${misspelt.message}; fix it before running`);
}

/**
 * `--var DATABASE_URL=…` (or the variable the frontmatter's `database:` names) would point
 * shell cells at another database than the one the run shows and guards: refused.
 */
function refuseTargetVariables(values: Record<string, string>, runbook: Runbook): void {
  const reserved = ['DATABASE_URL', 'RUNBOOK_DATABASE_URL', declaredDatabase(runbook)?.variable].filter((n): n is string => n !== undefined);
  const given = reserved.find((name) => values[name] !== undefined);
  if (given) {
    throw new InputError(`--var ${given}: the database target is not a variable; choose it with --db URL (or RUNBOOK_DATABASE_URL)`);
  }
}
