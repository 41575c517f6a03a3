/**
 * `runbook replay <transcript> [--speed N] [--step]`: the transcript's events fed into
 * the renderers of a live run. On a terminal, the TUI; elsewhere (pipes, CI) the plain
 * renderer, printing what the live unattended run printed, at the run's own pace.
 */
import { createInterface } from 'node:readline';
import { InputError } from '../engine/errors.js';
import { EXIT } from './exit.js';
import type { RunEvent, UnknownEvent } from '../engine/events.js';
import { isKnownEvent, readTranscript } from '../engine/transcript.js';
import { createPlainRenderer } from '../renderers/plain.js';
import { shortMessage } from '../renderers/text/message.js';

export interface ReplayFlags {
  speed?: string | number;
  step?: boolean;
}

export interface PlainReplayOptions {
  /** 2 plays twice as fast; 0 does not wait at all. */
  speed: number;
  /** Pause after each finished cell until a line (Enter) arrives on stdin. */
  step: boolean;
  transcriptPath: string;
}

/** A pause in the transcript longer than this plays as this long (before `speed`), as in the TUI. */
export const MAX_GAP_MS = 3000;

export async function replay(file: string, flags: ReplayFlags = {}): Promise<number> {
  const speed = Number(flags.speed ?? 1);
  if (!Number.isFinite(speed) || speed < 0) throw new InputError(`--speed must be a number of 0 or more (2 = twice as fast, 0 = no waiting), not "${flags.speed}"`);
  const { events, warnings } = await readTranscript(file);
  for (const warning of warnings) process.stderr.write(`${shortMessage({ reason: warning, severity: 'warning' })}\n`);
  const step = flags.step === true;
  if (process.stdout.isTTY) {
    // The seam to the terminal UI: Ink is loaded only here, never for pipes.
    const { replayInteractive } = await import('../renderers/tui/replay.js');
    return replayInteractive(events.filter(isKnownEvent), { speed, step });
  }
  await replayPlain(events, (text) => writeOut(text), { speed, step, transcriptPath: file });
  return EXIT.ok;
}

/** Plain replay; `write` may return a promise to hold the player back (backpressure). */
export async function replayPlain(
  events: readonly (RunEvent | UnknownEvent)[],
  write: (text: string) => void | Promise<void>,
  options: PlainReplayOptions,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<void> {
  let pending: Promise<void> | void = undefined;
  const render = createPlainRenderer(
    (text) => {
      pending = write(text);
    },
    { transcriptPath: options.transcriptPath },
  );
  const keys = options.step ? lineReader() : undefined;
  // Like a live run: the transcript path before the first event and after the last.
  await write(`transcript: ${options.transcriptPath}\n`);
  try {
    for (let i = 0; i < events.length; i += 1) {
      const event = events[i]!;
      const previous = events[i - 1];
      if (previous && options.speed > 0 && !options.step) {
        const gap = Date.parse(event.ts) - Date.parse(previous.ts);
        if (gap > 0) await sleep(Math.min(gap, MAX_GAP_MS) / options.speed);
      }
      render(event);
      await pending;
      pending = undefined;
      if (keys && event.type === 'cell.finished' && i < events.length - 1) await keys.next();
    }
  } finally {
    keys?.close();
  }
  await write(`transcript: ${options.transcriptPath}\n`);
}

/** One line of stdin per step; once stdin ends, steps no longer wait. */
function lineReader() {
  const rl = createInterface({ input: process.stdin, terminal: false });
  const waiting: (() => void)[] = [];
  let buffered = 0;
  let ended = false;
  rl.on('line', () => {
    const next = waiting.shift();
    if (next) next();
    else buffered += 1;
  });
  rl.on('close', () => {
    ended = true;
    for (const next of waiting.splice(0)) next();
  });
  return {
    next: () =>
      new Promise<void>((resolve) => {
        if (ended) return resolve();
        if (buffered > 0) {
          buffered -= 1;
          return resolve();
        }
        waiting.push(resolve);
      }),
    close: () => rl.close(),
  };
}

function writeOut(text: string): Promise<void> | void {
  if (process.stdout.write(text)) return;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}
