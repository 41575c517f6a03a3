/**
 * How a run is ended from outside: SIGINT, SIGTERM, SIGHUP (the terminal or the SSH
 * connection went away), or a stdout that closed. The first one cancels the running cell
 * (SQL cancelled on the server, the process tree killed), and the run finishes as
 * aborted with the reason in `run.finished`; a second SIGINT or SIGTERM ends the process
 * at once (every event handed to the transcript is already on disk), a second SIGHUP is
 * the same hangup again. A transcript that cannot be written (a full disk) stops the
 * run the same way: exit 2 when no cell had started, 1 mid-run. The exit code is the first stop's.
 */
import { EXIT } from './exit.js';
import { onStdoutClosed, terminalGone } from './output-guard.js';
import type { TranscriptFailure } from '../engine/transcript/write-failure.js';

export interface RunStop {
  /** Recorded as `run.finished.reason`. */
  reason: string;
  exitCode: number;
}

const SIGNAL_STOPS = {
  SIGINT: { reason: 'interrupted (SIGINT)', exitCode: EXIT.interrupted },
  SIGTERM: { reason: 'terminated (SIGTERM)', exitCode: EXIT.interrupted },
  SIGHUP: { reason: 'hangup (SIGHUP)', exitCode: EXIT.hangup },
} as const satisfies Record<string, RunStop>;

export const STDOUT_CLOSED: RunStop = { reason: 'stdout closed', exitCode: EXIT.stdoutClosed };

export interface StopWatch {
  /** The first stop, once there was one. */
  readonly stop: RunStop | undefined;
  dispose(): void;
}

/** The run's transcript, as far as stopping goes. */
export interface FailingTranscript {
  onFailure(listener: (failure: TranscriptFailure) => void): () => void;
}

export function watchStops(abort: (stop: RunStop) => void, transcript?: FailingTranscript): StopWatch {
  let first: RunStop | undefined;
  const take = (stop: RunStop) => {
    if (first) return false;
    first = stop;
    abort(stop);
    return true;
  };
  const handlers = Object.entries(SIGNAL_STOPS).map(([signal, stop]) => {
    const handler = () => {
      if (signal === 'SIGHUP') terminalGone();
      if (take(stop) || signal === 'SIGHUP') return;
      process.exit(first?.exitCode ?? stop.exitCode);
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  const offStdout = onStdoutClosed((loss) => void take(loss === 'hangup' ? SIGNAL_STOPS.SIGHUP : STDOUT_CLOSED));
  const offTranscript = transcript?.onFailure((failure) => void take({ reason: failure.reason, exitCode: failure.beforeRun ? EXIT.usage : EXIT.failed }));
  return {
    get stop() {
      return first;
    },
    dispose() {
      for (const off of handlers) off();
      offStdout();
      offTranscript?.();
    },
  };
}
