/**
 * The shared log as a run sees it: a sink that the emitter calls after the transcript
 * has the event (so the log only ever carries what is on disk), status for the screens,
 * and one line at the end.
 */
import type { EventSink } from '../events.js';
import type { LogTarget } from './config.js';
import { deliveryReportLine, LogDelivery, logHeaderText, logStatusLine, type LogStatus } from './delivery.js';

export interface RunLog {
  target: LogTarget;
  /** Subscribe first: it only notes the seq; delivery reads the line from the transcript. */
  sink: EventSink;
  /** Status changes ("log: behind N events", "log: unreachable"), as lines, as values and as a console header (undefined when it keeps up). */
  onStatus(listener: (line: string, status: LogStatus, header: string | undefined) => void): () => void;
  /** Delivers what it can in `waitMs`, stops, and says what happened in one line. */
  finish(waitMs?: number): Promise<string>;
}

export function startRunLog(target: LogTarget, transcriptPath: string): RunLog {
  const listeners = new Set<(line: string, status: LogStatus, header: string | undefined) => void>();
  const delivery = new LogDelivery({
    target,
    transcriptPath,
    onStatus: (status) => {
      for (const listener of listeners) listener(logStatusLine(status, target.incident), status, logHeaderText(status));
    },
  });
  let report: Promise<string> | undefined;
  return {
    target,
    sink: (event) => delivery.written(event.seq),
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    finish(waitMs) {
      report ??= delivery.finish(waitMs).then((r) => deliveryReportLine(r, transcriptPath, target.maskedUrl));
      return report;
    },
  };
}
