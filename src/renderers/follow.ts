/**
 * What `runbook follow` prints for rows from the shared log: the plain renderer, one per
 * run (each run has its own header, open line and cell state), with the actor and the
 * run on every line, so interleaved runs stay readable; or each event's transcript line
 * as it is (NDJSON). Only whole lines go out: a run's half-written output line waits for
 * its end instead of being cut by another run's line.
 */
import type { RunEvent } from '../engine/events.js';
import { createPlainRenderer } from './plain.js';
import { showControls } from './text/visible.js';

export interface FollowRow {
  run: string;
  actor: string;
  line: string;
}

export interface FollowRenderer {
  row(row: FollowRow): void;
  /** Writes what is still held back (half lines) at the end. */
  end(): void;
}

export function createFollowRenderer(write: (text: string) => void, options: { json?: boolean } = {}): FollowRenderer {
  if (options.json) return { row: (row) => write(`${row.line}\n`), end: () => undefined };
  const runs = new Map<string, { render: (event: RunEvent) => void; held: string; prefix: string }>();
  const runOf = (row: FollowRow) => {
    let run = runs.get(row.run);
    if (!run) {
      const entry = { held: '', prefix: `[${showControls(row.actor)} ${shortRun(showControls(row.run))}] `, render: (_event: RunEvent) => undefined as void };
      entry.render = createPlainRenderer((text) => {
        const lines = (entry.held + text).split('\n');
        entry.held = lines.pop() ?? '';
        if (lines.length) write(lines.map((line) => (line ? `${entry.prefix}${line}\n` : `${entry.prefix.trimEnd()}\n`)).join(''));
      });
      run = entry;
      runs.set(row.run, run);
    }
    return run;
  };
  return {
    row(row) {
      let event: RunEvent;
      try {
        event = JSON.parse(row.line) as RunEvent;
      } catch {
        write(`[${showControls(row.actor)} ${shortRun(showControls(row.run))}] ? a line that is not JSON\n`);
        return;
      }
      runOf(row).render(event);
    },
    end() {
      for (const run of runs.values()) if (run.held) write(`${run.prefix}${run.held}\n`);
    },
  };
}

/** `20261128T195854Z-97a565` → `97a565`: unique enough within one incident, short enough for every line. */
function shortRun(run: string): string {
  const dash = run.lastIndexOf('-');
  return dash >= 0 && dash < run.length - 1 ? run.slice(dash + 1) : run;
}
