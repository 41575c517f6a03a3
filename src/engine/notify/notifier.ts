/**
 * `--notify CMD`: every event (or those `--notify-on` picks) as one NDJSON line — the very
 * object the transcript holds — on the stdin of a command the run starts (`sh -c CMD`, on
 * Windows `cmd.exe /d /s /c`: process/command-line.ts), in its own process group (POSIX). A notifier never slows, fails or blocks the run:
 *
 * - the sink only queues a line; the pipe is written as it drains, the queue is bounded
 *   (QUEUE_LINES), and a line that does not fit is dropped and counted;
 * - a notifier that exits, or whose pipe breaks, takes no more lines: the rest are counted
 *   as dropped, and the run records it once (`notify.failed`), never per event;
 * - at the end the run waits at most `drainMs` for the command to take what is queued and
 *   exit on end of input; then its process group is killed (TERM, then KILL).
 *
 * Optionally it records the runbook's escalation time (`run.escalation`) when asked to
 * notify on it: a timer from run.started, unref'd, that never keeps the process alive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { EventBody, EventSink, RunEvent } from '../events.js';

/** What a notifier records: its own trouble, and the escalation time it watches. */
export type NotifierRecord = Extract<EventBody, { type: 'notify.failed' | 'run.escalation' }>;
import { signalTree, treeAlive } from '../process/tree-signals.js';
import { commandLineSpawn } from '../process/command-line.js';
import { platform } from '../process/platform.js';
import { wants, type NotifyFilter } from './filter.js';

export const QUEUE_LINES = 1000;
export const DRAIN_MS = 2000;
const KILL_GRACE_MS = 500;

export interface NotifierOptions {
  command: string;
  filter: NotifyFilter;
  env: NodeJS.ProcessEnv;
  cwd?: string;
  drainMs?: number;
}

export interface Notifier {
  sink: EventSink;
  /** Where the notifier's troubles and the escalation time go: the run's emitter (into the transcript). */
  attach(record: (body: NotifierRecord) => void): void;
  /** Waits for the queue to drain and the command to exit (at most drainMs), kills what is left; one line for the operator. */
  finish(): Promise<string>;
}

export function startNotifier(options: NotifierOptions): Notifier {
  const drainMs = options.drainMs ?? DRAIN_MS;
  const { file, args, windowsVerbatimArguments } = commandLineSpawn(options.command, options.env);
  const child: ChildProcess = spawn(file, args, {
    stdio: ['pipe', 'ignore', 'ignore'],
    // POSIX: a group of its own, ended as one. Windows: a detached process gets a console window; taskkill /T ends the tree.
    detached: platform() !== 'win32',
    windowsHide: true,
    ...(windowsVerbatimArguments ? { windowsVerbatimArguments } : {}),
    env: options.env,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  const stdin = child.stdin;
  const queue: string[] = [];
  let waiting = false;
  let dead: string | undefined;
  let delivered = 0;
  let dropped = 0;
  let recorded = false;
  let finished = false;
  /** stdin was ended: the run is over and the command was told so. */
  let ending = false;
  /** run.finished is out: nothing more goes into the transcript, troubles are only counted. */
  let over = false;
  let record: ((body: NotifierRecord) => void) | undefined;
  let escalation: NodeJS.Timeout | undefined;

  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      // Exiting on the end of its input, having taken every line, is how a notifier finishes.
      const done = ending && code === 0 && !queue.length;
      if (!finished && !done) stop(signal ? `exited on ${signal}` : `exited with code ${code ?? '?'}`);
      resolve();
    });
    child.once('error', (error) => {
      stop(`could not start: ${error.message}`);
      resolve();
    });
  });
  stdin?.on('error', () => stop('its input closed'));
  stdin?.on('drain', () => {
    waiting = false;
    flush();
  });

  /** Said once: into the transcript when the run is still going (a notifier is never told of its own trouble). */
  function stop(reason: string): void {
    if (dead) return;
    dead = reason;
    dropped += queue.length;
    queue.length = 0;
    report(reason);
  }
  function report(reason: string): void {
    if (recorded || finished) return;
    recorded = true;
    // Not from inside a sink: the emitter is delivering the event that got us here.
    setImmediate(() => {
      if (!over) record?.({ type: 'notify.failed', reason, dropped });
    });
  }
  function flush(): void {
    while (!dead && !waiting && queue.length && stdin) {
      const line = queue.shift() as string;
      delivered += 1;
      if (!stdin.write(line)) waiting = true;
    }
  }

  const sink: EventSink = (event: RunEvent) => {
    if (event.type === 'run.started' || event.type === 'run.resumed') armEscalation(event);
    if (event.type === 'run.finished') {
      over = true;
      if (escalation) clearTimeout(escalation);
    }
    if (!wants(options.filter, event)) return;
    if (dead) {
      dropped += 1;
      return;
    }
    if (queue.length >= QUEUE_LINES) {
      dropped += 1;
      report(`fell behind: more than ${QUEUE_LINES} events waiting`);
      return;
    }
    queue.push(`${JSON.stringify(event, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}\n`);
    flush();
  };

  function armEscalation(event: RunEvent): void {
    if (event.type !== 'run.started' || event.escalationAfterMs === undefined) return;
    if (options.filter.kinds && !options.filter.kinds.has('escalation')) return;
    const afterMs = event.escalationAfterMs;
    const text = event.escalation;
    escalation = setTimeout(() => {
      if (!over) record?.({ type: 'run.escalation', afterMs, ...(text ? { escalation: text } : {}) });
    }, afterMs);
    escalation.unref();
  }

  return {
    sink,
    attach(fn) {
      record = fn;
    },
    async finish() {
      if (escalation) clearTimeout(escalation);
      const pid = child.pid;
      const settle = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, drainMs);
        timer.unref();
        void exited.then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      // What is queued goes as the pipe takes it; end of input tells the command to finish.
      const ended = new Promise<void>((resolve) => {
        const end = () => {
          ending = true;
          if (!dead && stdin && !stdin.destroyed) stdin.end();
          resolve();
        };
        if (!queue.length || dead) end();
        else stdin?.once('drain', () => setImmediate(end));
      });
      await Promise.race([ended, settle]);
      await settle;
      finished = true;
      const killed = pid !== undefined && child.exitCode === null && child.signalCode === null;
      if (killed && pid !== undefined) {
        dropped += queue.length;
        queue.length = 0;
        signalTree(pid, 'SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, KILL_GRACE_MS).unref())]);
        if (treeAlive(pid)) signalTree(pid, 'SIGKILL');
        stdin?.destroy();
      }
      const tail = killed ? `; still running after ${drainMs} ms, stopped` : dead ? `; ${dead}` : '';
      return `notify: ${delivered} ${delivered === 1 ? 'event' : 'events'} sent${dropped ? `, ${dropped} dropped` : ''}${tail}`;
    },
  };
}
