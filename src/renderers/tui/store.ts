/**
 * The console's state outside React, so the runner's sink, the operator and the keys
 * can all reach it. Run events are queued and folded in batches at most every
 * `intervalMs` (default 50 ms: at most ~20 renders a second however fast a cell
 * prints); UI actions apply at once, after whatever was queued before them.
 */
import type { RunEvent } from '../../engine/events.js';
import { reduce, reduceAll, type ConsoleAction } from './reducer.js';
import { visibleEvent } from '../text/visible.js';
import type { ConsoleState } from './state.js';

export interface ConsoleStore {
  getState(): ConsoleState;
  subscribe(listener: () => void): () => void;
  /** Applies an action now (after any queued events, to keep their order). */
  dispatch(action: ConsoleAction): void;
  /** Queues a run event; the next flush folds the whole batch with one render. */
  push(event: RunEvent): void;
  flush(): void;
  close(): void;
}

export function createConsoleStore(initial: ConsoleState, options: { intervalMs?: number } = {}): ConsoleStore {
  const intervalMs = options.intervalMs ?? 50;
  let state = initial;
  let queue: RunEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const listeners = new Set<() => void>();

  const publish = (next: ConsoleState) => {
    if (next === state) return;
    state = next;
    for (const listener of listeners) listener();
  };
  const fold = (): ConsoleState => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0) return state;
    const batch = queue;
    queue = [];
    return reduceAll(state, batch);
  };

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispatch(action) {
      publish(reduce(fold(), action));
    },
    push(event) {
      // Control characters in values and output are shown, never sent to the terminal raw.
      queue.push(visibleEvent(event));
      timer ??= setTimeout(() => publish(fold()), intervalMs);
    },
    flush() {
      publish(fold());
    },
    close() {
      publish(fold());
      listeners.clear();
    },
  };
}
