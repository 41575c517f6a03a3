/** Workload 1: start-up. `runbook --version` and `runbook list dragonfly --json` against bare Node. */
import { join } from 'node:path';
import { compare } from '../lib/measure.js';
import { RUNBOOK, runbook } from '../lib/cli.js';
import { ROOT } from '../lib/generate.js';
import { ratioRow } from '../lib/report.js';

export const title = 'start-up';
export const rounds = 10;

export async function run({ rounds }) {
  const dragonfly = join(ROOT, 'runbooks', 'dragonfly.md');
  const listed = (result) => {
    try {
      const cells = JSON.parse(result.stdout).cells;
      return Array.isArray(cells) && cells.length > 0 ? undefined : 'list --json printed no cells';
    } catch (error) {
      return `list --json did not print JSON: ${error.message}`;
    }
  };
  // The SQL parser's answers are kept between runs (src/engine/lang/sql/parse-store.ts): the
  // warm-up round fills the user's store, so `list` is a second run; a cache directory that
  // cannot exist (a file's child) makes every round a first run, parser loaded.
  const noStore = { ...process.env, XDG_CACHE_HOME: join(RUNBOOK, 'no-cache') };
  const results = await compare(
    {
      node: { command: process.execPath, args: ['-e', '0'], options: {} },
      version: runbook(['--version'], { stdout: 'capture' }),
      list: { ...runbook(['list', dragonfly, '--json'], { stdout: 'capture' }), check: listed },
      cold: { ...runbook(['list', dragonfly, '--json'], { stdout: 'capture', env: noStore }), check: listed },
    },
    rounds,
  );
  return [
    ratioRow({ workload: '1 start-up: runbook --version', engine: results.version, baselineLabel: 'node -e 0', baseline: results.node }),
    ratioRow({ workload: '1 start-up: runbook list dragonfly.md --json', engine: results.list, baselineLabel: 'node -e 0', baseline: results.node, maxRatio: 2, note: "the SQL parser's answers kept from the warm-up round (the user's cache), as on any second run" }),
    ratioRow({ workload: '1 start-up: runbook list dragonfly.md --json, first run', engine: results.cold, baselineLabel: 'node -e 0', baseline: results.node, note: 'no cache directory: the SQL parser (WASM) is loaded every round' }),
  ];
}
