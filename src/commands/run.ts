/**
 * `runbook run <file>`: interactivity is decided once, here. `--yes` / `--dry-run` run
 * unattended with the plain renderer (or NDJSON with --json); a terminal gets the TUI;
 * anything else is told how to run unattended.
 *
 * Order of work: flags and the runbook are read and checked, the run is planned, values
 * bound and the transcript path checked (prepareSession); only then is the sandbox started
 * and the transcript opened (open()). A refused command has touched nothing.
 */
import { createUnattendedOperator } from '../engine/operators/unattended.js';
import { readRunbookFile } from '../engine/parse.js';
import { InputError } from '../engine/errors.js';
import { prepareSession, type InteractiveOptions, type Session } from '../engine/session.js';
import { createNdjsonSink } from '../renderers/ndjson.js';
import { createPlainRenderer } from '../renderers/plain.js';
import { requireKey } from '../engine/transcript/signature.js';
import type { EventSink, RunMode } from '../engine/events.js';
import type { Runner, RunSummary } from '../engine/runner.js';
import { EXIT, exitCodeOf } from './exit.js';
import { actorOf, detectedAtOf, modeOf, notifyOf, selectionOf, valuesOf, type RunFlags } from './run-flags.js';
import { watchStops, type RunStop } from './run-stops.js';
import { seedConfirmer } from './seed-confirm.js';
import { hideArguments } from './hide-arguments.js';

export type { RunFlags } from './run-flags.js';

export const NO_TERMINAL =
  'runbook: no terminal for the interactive console; use --yes for an unattended run or run it in a terminal';

export async function run(file: string, flags: RunFlags, argv: string[] = []): Promise<number> {
  const start = startOf(flags);
  if (!start) return EXIT.usage;
  const { mode, values } = start;
  const detectedAt = detectedAtOf(flags);
  if (flags.rehearse && mode !== 'dry-run') {
    throw new InputError('--rehearse goes with --dry-run (in the console, p at a write\'s confirmation rehearses it): runbook run FILE --dry-run --rehearse');
  }
  const runbook = await readRunbookFile(file);
  const prepared = await prepareSession({
    runbook,
    selection: selectionOf(flags),
    mode,
    ...(flags.db !== undefined ? { db: flags.db } : {}),
    values,
    actor: actorOf(flags),
    argv: recordedArgv(argv),
    ...(detectedAt ? { detectedAt } : {}),
    ...notifyOf(flags, runbook),
    ...(flags.transcript ? { transcriptPath: flags.transcript } : {}),
    keepGoing: flags.keepGoing === true,
    strict: flags.strict === true,
    allowWrites: flags.allowWrites === true,
    ...(flags.rehearse ? { rehearse: true } : {}),
    ...logFlags(flags),
    confirmSeed: seedConfirmer(flags),
  });
  // The runbook is read now: values its frontmatter marks secret leave the process list too.
  hideArguments(secretValues(prepared.variables));
  const session = await prepared.open();
  const code = mode === 'interactive' ? await runWithTerminal(session) : await runUnattended(session, flags);
  return signIfAsked(code, session.transcript.path, flags);
}

/** The values of secret variables, as bound (those given by --var are in the command line). */
export function secretValues(variables: readonly { secret: boolean; source: string; value: string }[]): string[] {
  return variables.filter((v) => v.secret && v.source === 'flag').map((v) => v.value);
}

/** `--sign-key`: the transcript is signed once it is closed; a run that could not be signed does not exit 0. */
export async function signIfAsked(code: number, transcriptPath: string, flags: Pick<RunFlags, 'signKey' | 'json'>): Promise<number> {
  if (!flags.signKey) return code;
  const { signAfterRun } = await import('./sign.js');
  const info = (text: string) => void (flags.json ? process.stderr : process.stdout).write(`${text}\n`);
  const signed = await signAfterRun(transcriptPath, flags.signKey, info);
  return signed || code !== EXIT.ok ? code : EXIT.failed;
}

/**
 * What a run and a resume settle before they read anything: the mode, a terminal when the
 * console is wanted, a signing key that can sign (found before the first cell runs, not
 * after the last), the --var values. Undefined when there is no terminal: the line is
 * written, and the command exits EXIT.usage.
 */
export function startOf(flags: Pick<RunFlags, 'dryRun' | 'yes' | 'signKey' | 'var' | 'varFile'>): { mode: RunMode; values: Record<string, string> } | undefined {
  const mode = modeOf(flags);
  if (mode === 'interactive' && !hasTerminal()) {
    process.stderr.write(`${NO_TERMINAL}\n`);
    return undefined;
  }
  if (flags.signKey) requireKey(flags.signKey);
  return { mode, values: valuesOf(flags) };
}

export function hasTerminal(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true;
}

/** The arguments as typed, for the record (the runner masks any secret among them). */
export function recordedArgv(argv: string[]): string[] {
  return argv.length ? argv : process.argv.slice(2);
}

/** Unattended and dry runs: events to the plain renderer or NDJSON; a signal or a closed stdout aborts cleanly (run-stops.ts). */
export async function runUnattended(session: Session, flags: Pick<RunFlags, 'json' | 'allowWrites'>): Promise<number> {
  // Whether anything reached stdout after the opening `transcript:` line: a run refused before
  // its first cell prints nothing there, and the same line twice in a row says nothing new.
  let printed = false;
  const out = (text: string) => {
    printed ||= text.length > 0;
    process.stdout.write(text);
  };
  const info = (text: string) => void (flags.json ? process.stderr : process.stdout).write(`${text}\n`);
  const sink: EventSink = flags.json ? createNdjsonSink(out) : createPlainRenderer(out, { transcriptPath: session.transcript.path, refusalOnStderr: true });
  const operator = createUnattendedOperator({ actor: session.actor, allowWrites: flags.allowWrites === true });
  const stopLog = logLines(session);
  const runner = session.createRunner(operator, [sink]);
  // Watched before the first write: a pipe closed at once still leaves a finished record.
  const stops = watchStops((stop) => runner.abort(stop.reason), session.transcript);
  info(`transcript: ${session.transcript.path}`);
  try {
    const code = finished(await runner.run());
    return stops.stop?.exitCode ?? code;
  } finally {
    stops.dispose();
    stopLog();
    for (const line of await session.close()) process.stderr.write(`${line}\n`);
    // A run that could not write its first lines left no file to point at.
    if (!session.transcript.failure?.beforeRun && (printed || flags.json)) info(`transcript: ${session.transcript.path}`);
  }
}

/** The Ink console, loaded only here so that pipes and CI never load React. */
export async function runWithTerminal(session: Session): Promise<number> {
  let runner: Runner | undefined;
  let early: RunStop | undefined;
  const stops = watchStops((stop) => {
    if (runner) runner.abort(stop.reason);
    else early = stop;
  }, session.transcript);
  const options = session.interactiveOptions();
  const create = options.createRunner;
  options.createRunner = (operator) => {
    runner = create(operator);
    if (early) runner.abort(early.reason);
    return runner;
  };
  process.stdout.write(`transcript: ${session.transcript.path}\n`);
  try {
    const specifier = '../renderers/tui/run.js';
    const tui = (await import(specifier)) as { runInteractive(options: InteractiveOptions): Promise<RunSummary> };
    const code = finished(await tui.runInteractive(options));
    return stops.stop?.exitCode ?? code;
  } finally {
    stops.dispose();
    for (const line of await session.close()) process.stderr.write(`${line}\n`);
    if (!session.transcript.failure?.beforeRun) process.stdout.write(`transcript: ${session.transcript.path}\n`);
  }
}

/** The shared log's lines on stderr, beside the run's output: where it goes, and when it falls behind or goes away. */
function logLines(session: Session): () => void {
  if (!session.log) return () => undefined;
  const { incident, maskedUrl } = session.log.target;
  process.stderr.write(`log: delivering to incident ${incident} at ${maskedUrl}\n`);
  return session.log.onStatus((line) => void process.stderr.write(`${line}\n`));
}

/** Prints why a run was refused, and gives its exit code. */
function finished(summary: RunSummary): number {
  for (const line of summary.refused) process.stderr.write(`runbook: ${line}\n`);
  return exitCodeOf(summary.outcome);
}

/** `--log` / `--incident` as the session takes them. */
export function logFlags(flags: Pick<RunFlags, 'log' | 'incident'>): { log?: string; incident?: string } {
  return { ...(flags.log !== undefined ? { log: flags.log } : {}), ...(flags.incident !== undefined ? { incident: flags.incident } : {}) };
}
