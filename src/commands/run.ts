/**
 * `runbook run <file>`: interactivity is decided once, here. `--yes` / `--dry-run` run
 * unattended with the plain renderer (or NDJSON with --json); a terminal gets the TUI;
 * anything else is told how to run unattended.
 */
import { EXIT } from '../engine/errors.js';
import { createUnattendedOperator } from '../engine/operators/unattended.js';
import { readRunbookFile } from '../engine/parse.js';
import { modeOf, openSession, type InteractiveOptions, type RunFlags, type Session } from '../engine/session.js';
import { createNdjsonSink } from '../renderers/ndjson.js';
import { createPlainRenderer } from '../renderers/plain.js';
import { requireKey } from '../engine/transcript/signature.js';
import type { EventSink } from '../engine/events.js';

export const NO_TERMINAL =
  'runbook: no terminal for the interactive console; use --yes for an unattended run or run it in a terminal';

export async function run(file: string, flags: RunFlags, argv: string[] = []): Promise<number> {
  const mode = modeOf(flags);
  if (mode === 'interactive' && !(process.stdin.isTTY && process.stdout.isTTY)) {
    process.stderr.write(`${NO_TERMINAL}\n`);
    return EXIT.usage;
  }
  // A key that cannot sign is found before the first cell runs, not after the last.
  if (flags.signKey) requireKey(flags.signKey);
  const runbook = await readRunbookFile(file);
  const session = await openSession({ runbook, flags, argv: recordedArgv(argv), mode });
  const code = mode === 'interactive' ? await runWithTerminal(session) : await runUnattended(session, flags);
  return signIfAsked(code, session.transcript.path, flags);
}

/** `--sign-key`: the transcript is signed once it is closed; a run that could not be signed does not exit 0. */
export async function signIfAsked(code: number, transcriptPath: string, flags: Pick<RunFlags, 'signKey' | 'json'>): Promise<number> {
  if (!flags.signKey) return code;
  const { signAfterRun } = await import('./sign.js');
  const info = (text: string) => void (flags.json ? process.stderr : process.stdout).write(`${text}\n`);
  const signed = await signAfterRun(transcriptPath, flags.signKey, info);
  return signed || code !== EXIT.ok ? code : EXIT.failed;
}

/** The arguments as typed, for the record (the runner masks any secret among them). */
export function recordedArgv(argv: string[]): string[] {
  return argv.length ? argv : process.argv.slice(2);
}

/** Unattended and dry runs: events to the plain renderer or NDJSON; SIGINT aborts cleanly. */
export async function runUnattended(session: Session, flags: Pick<RunFlags, 'json' | 'allowWrites'>): Promise<number> {
  const out = (text: string) => void process.stdout.write(text);
  const info = (text: string) => void (flags.json ? process.stderr : process.stdout).write(`${text}\n`);
  const sink: EventSink = flags.json ? createNdjsonSink(out) : createPlainRenderer(out, { transcriptPath: session.transcript.path });
  const operator = createUnattendedOperator({ actor: session.actor, allowWrites: flags.allowWrites === true });
  info(`transcript: ${session.transcript.path}`);
  const runner = session.createRunner(operator, [sink]);
  const stop = onInterrupt(() => runner.abort());
  try {
    const summary = await runner.run();
    for (const line of summary.refused) process.stderr.write(`runbook: ${line}\n`);
    return summary.exitCode;
  } finally {
    stop();
    await session.close();
    info(`transcript: ${session.transcript.path}`);
  }
}

/** The Ink console, loaded only here so that pipes and CI never load React. */
export async function runWithTerminal(session: Session): Promise<number> {
  process.stdout.write(`transcript: ${session.transcript.path}\n`);
  try {
    const specifier = '../renderers/tui/run.js';
    const tui = (await import(specifier)) as { runInteractive(options: InteractiveOptions): Promise<number> };
    return await tui.runInteractive(session.interactiveOptions());
  } finally {
    await session.close();
    process.stdout.write(`transcript: ${session.transcript.path}\n`);
  }
}

/**
 * First SIGINT/SIGTERM: cancel the running cell and let the run finish its transcript
 * (exit 130). A second one while that is under way ends the process at once; every
 * event handed to the transcript is already on disk.
 */
export function onInterrupt(abort: () => void): () => void {
  let count = 0;
  const handler = () => {
    count += 1;
    if (count === 1) abort();
    else process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
