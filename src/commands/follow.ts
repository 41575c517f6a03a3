/**
 * `runbook follow --log URL --incident ID [--json]`: every run of an incident as it
 * arrives in the shared log — what came before first, then live. Plain text with the actor
 * and run on each line, or NDJSON (the transcript lines as they are). Runs until Ctrl-C
 * (exit 130); a log that goes away is retried, and what arrived meanwhile is caught up.
 */
import { EXIT } from './exit.js';
import { requireLog, type LogFlags } from '../engine/log/config.js';
import { followLog } from '../engine/log/follow.js';
import { createFollowRenderer } from '../renderers/follow.js';
import { onStdoutClosed } from './output-guard.js';
import { showControls } from '../renderers/text/visible.js';

export interface FollowFlags extends LogFlags {
  json?: boolean;
}

export async function follow(flags: FollowFlags): Promise<number> {
  const target = requireLog(flags);
  const renderer = createFollowRenderer((text) => void process.stdout.write(text), { json: flags.json === true });
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A reader that went away (`| head`) ends the follow like any command whose stdout closed (141).
  let pipeClosed = false;
  const unguard = onStdoutClosed(() => {
    pipeClosed = true;
    stop();
  });
  process.stderr.write(`follow: incident ${target.incident} at ${target.maskedUrl}; Ctrl-C to stop\n`);
  try {
    await followLog({
      target,
      signal: controller.signal,
      onRow: (row) => renderer.row(row),
      onBroken: (run, actor, seq, reason) =>
        void process.stderr.write(
          `follow: warning: run ${showControls(run)}${actor ? ` (${showControls(actor)})` : ''}, seq ${seq}: ${showControls(reason)}; ` +
            `its events from there on are not shown: check with runbook verify --log URL --incident ${target.incident}\n`,
        ),
      onStatus: (line) => void process.stderr.write(`${line}\n`),
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    unguard();
    if (!pipeClosed) renderer.end();
  }
  return pipeClosed ? EXIT.stdoutClosed : EXIT.interrupted;
}
