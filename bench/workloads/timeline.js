/** Workload 7: a 100,000-event transcript into a Markdown timeline (target ≤ 1.5 s). */
import { join } from 'node:path';
import { compare, runOnce } from '../lib/measure.js';
import { runbook } from '../lib/cli.js';
import { ROOT, write, transcript } from '../lib/generate.js';
import { cappedTimeRow } from '../lib/report.js';

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
    cappedTimeRow({
      workload: `7 timeline: ${EVENTS.toLocaleString('en-US')} events → md`,
      engine,
      max: MAX_MS,
      baselineLabel: 'node: read + JSON.parse each line',
      baseline: results.floor,
      note: `transcript ${(generated.text.length / 1e6).toFixed(1)} MB written with ${generated.serializer}; ${verifyNote}`,
    }),
  ];
}
