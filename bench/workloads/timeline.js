/** Workload 7: a 100,000-event transcript into a Markdown timeline (target ≤ 1.5 s). */
import { join } from 'node:path';
import { compare, median, runOnce } from '../lib/measure.js';
import { runbook } from '../lib/cli.js';
import { ROOT, write, transcript } from '../lib/generate.js';
import { absoluteRow, cpuRatio, formatMs } from '../lib/report.js';

export const title = 'timeline';
export const rounds = 5;
const EVENTS = 100_000;
const MAX_MS = 1500;

export async function run({ rounds }) {
  const generated = await transcript(EVENTS);
  const path = write(`timeline-${EVENTS}.jsonl`, generated.text);
  const output = join(ROOT, 'bench', 'out', `timeline-${EVENTS}.md`);
  // The transcript must be one the engine accepts, or the timeline time means nothing.
  const verified = await runOnce(process.execPath, [join(ROOT, 'bin', 'runbook.js'), 'verify', path], { stdout: 'capture', cwd: ROOT });
  const verifyNote = verified.code === 0 ? 'verified by `runbook verify`' : `\`runbook verify\` exit ${verified.code}: ${(verified.stderr || verified.stdout).trim().split('\n')[0]?.slice(0, 120)}`;
  const results = await compare(
    {
      engine: {
        ...runbook(['timeline', path, '--format', 'md'], { stdout: output }),
        check: async () => {
          const { statSync } = await import('node:fs');
          return statSync(output).size > 0 ? undefined : 'timeline printed nothing';
        },
      },
      floor: { command: process.execPath, args: [join(ROOT, 'bench', 'baselines', 'read-jsonl.js'), path], options: {} },
    },
    rounds,
  );
  const engine = results.engine;
  return [
    absoluteRow({
      workload: `7 timeline: ${EVENTS.toLocaleString('en-US')} events → md`,
      value: engine.failed ? 0 : median(engine.ms),
      failed: engine.failed,
      format: formatMs,
      max: MAX_MS,
      rounds: engine.ms.length,
      ratio: engine.failed || results.floor.failed ? undefined : median(engine.ms) / median(results.floor.ms),
      cpu: engine.failed || results.floor.failed ? '—' : cpuRatio(engine, results.floor),
      baselineLabel: 'node: read + JSON.parse each line',
      baseline: results.floor.failed ? 'FAILED' : `${formatMs(median(results.floor.ms))} (n=${results.floor.ms.length})`,
      note: `transcript ${(generated.text.length / 1e6).toFixed(1)} MB written with ${generated.serializer}; ${verifyNote}`,
    }),
  ];
}
