/**
 * `runbook replay` on a terminal: the transcript's events fed into the same store,
 * reducer and App as a live run, at their own pace (`--speed` hurries, idle gaps are
 * capped), or cell by cell with a key (`--step`).
 */
import { render } from 'ink';
import type { RunEvent } from '../../engine/events.js';
import { App } from './App.js';
import { finishedPhrase } from '../text/status.js';
import { commandFor, type KeyPress } from './keys.js';
import { initialState } from './state.js';
import { createConsoleStore, type ConsoleStore } from './store.js';

export interface ReplayOptions {
  /** 2 plays twice as fast; 0 does not wait at all. */
  speed: number;
  /** Stop after each finished cell until a key (enter, space, →) is pressed. */
  step: boolean;
}

/** A pause in the transcript longer than this plays as this long (before `speed`). */
export const MAX_GAP_MS = 3000;

export interface Player {
  /** Resolves when every event was played, or the player was stopped. */
  done: Promise<void>;
  /** Step mode: play on to the end of the next cell. */
  advance(): void;
  stop(): void;
}

/** Plays events into a store; pure scheduling, no Ink, so tests drive it directly. */
export function play(events: readonly RunEvent[], store: ConsoleStore, options: ReplayOptions, sleep = defaultSleep): Player {
  let stopped = false;
  let release: (() => void) | undefined;
  const waitKey = () => new Promise<void>((resolve) => (release = resolve));
  // No pause after the last cell: nothing is left to step to.
  const lastStart = events.map((e) => e.type).lastIndexOf('cell.started');
  const done = (async () => {
    for (let i = 0; i < events.length && !stopped; i += 1) {
      const event = events[i] as RunEvent;
      const previous = events[i - 1];
      if (previous && options.speed > 0 && !options.step) {
        const gap = Date.parse(event.ts) - Date.parse(previous.ts);
        if (gap > 0) await sleep(Math.min(gap, MAX_GAP_MS) / options.speed);
      }
      if (stopped) break;
      store.push(event);
      if (options.step && event.type === 'cell.finished' && i < lastStart) {
        store.flush();
        store.dispatch({ type: 'ui.flash', text: `step: ${event.cell} ${finishedPhrase(event, { brief: true })} · enter or space for the next cell · q quit` });
        await waitKey();
      }
    }
    store.flush();
  })();
  return {
    done,
    advance: () => {
      const next = release;
      release = undefined;
      next?.();
    },
    stop: () => {
      stopped = true;
      release?.();
    },
  };
}

export async function replayInteractive(events: readonly RunEvent[], options: ReplayOptions): Promise<number> {
  const store = createConsoleStore(initialState());
  const player = play(events, store, options);
  const controller = {
    key(input: string, key: KeyPress) {
      const command = commandFor(input, key);
      if (input === 'q' || (key.ctrl && input === 'c')) return player.stop();
      if (command === 'cell.run' || input === ' ' || input === 'l') return player.advance();
      if (command === 'cursor.up' || command === 'cursor.down') store.dispatch({ type: 'ui.cursor.move', delta: command === 'cursor.up' ? -1 : 1 });
      if (command === 'help.toggle') store.dispatch({ type: 'ui.help.toggle' });
    },
  };
  const interactive = process.stdin.isTTY === true;
  const ink = render(<App store={store} controller={controller} interactive={interactive} replay />, { exitOnCtrlC: false, patchConsole: false });
  try {
    await player.done;
    await defaultSleep(60);
    return 0;
  } finally {
    ink.unmount();
    await ink.waitUntilExit().catch(() => undefined);
    store.close();
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
