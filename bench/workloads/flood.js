/** Workload 4: one cell printing 200 MB, unattended with the transcript, against the same command into /dev/null. */
import { rmSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compare } from '../lib/measure.js';
import { runbook, succeededCells } from '../lib/cli.js';
import { OUT, write, floodRunbook, FLOOD_COMMAND } from '../lib/generate.js';
import { ratioRow, peakRssRow } from '../lib/report.js';

export const title = 'output flood';
export const rounds = 3;
const MAX_RSS_KB = 150 * 1024;

export async function run({ rounds }) {
  const markdown = write('flood.md', floodRunbook());
  const dir = join(OUT, 'flood');
  const transcript = join(dir, 'flood.jsonl');
  const results = await compare(
    {
      engine: {
        ...runbook(['run', markdown, '--yes', '--transcript', transcript], { rss: true }),
        // A fresh directory each round, so sidecar files from the last round are not counted.
        before: () => rmSync(dir, { recursive: true, force: true }),
        check: succeededCells(transcript, 1),
      },
      baseline: { command: 'bash', args: ['-c', FLOOD_COMMAND], options: { rss: true } },
    },
    rounds,
  );
  const engine = results.engine;
  return [
    ratioRow({ workload: '4 flood: 200 MB stdout, one cell', engine, baselineLabel: 'same command > /dev/null', baseline: results.baseline, note: transcriptSize(dir) }),
    peakRssRow({ workload: '4 flood: peak RSS of the engine', engine, max: MAX_RSS_KB, baselineLabel: 'same command > /dev/null', baseline: results.baseline }),
  ];
}

function transcriptSize(dir) {
  try {
    const bytes = readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
    return `transcript directory after the last round: ${(bytes / 1e6).toFixed(1)} MB (transcript plus any spilled output)`;
  } catch {
    return undefined;
  }
}
