/** Workload 1: start-up. `runbook --version` and `runbook list dragonfly --json` against bare Node. */
import { join } from 'node:path';
import { compare } from '../lib/measure.js';
import { runbook } from '../lib/cli.js';
import { ROOT } from '../lib/generate.js';
import { ratioRow } from '../lib/report.js';

export const title = 'start-up';
export const rounds = 10;

export async function run({ rounds }) {
  const dragonfly = join(ROOT, 'runbooks', 'dragonfly.md');
  const results = await compare(
    {
      node: { command: process.execPath, args: ['-e', '0'], options: {} },
      version: runbook(['--version'], { stdout: 'capture' }),
      list: {
        ...runbook(['list', dragonfly, '--json'], { stdout: 'capture' }),
        check: (result) => {
          try {
            const cells = JSON.parse(result.stdout).cells;
            return Array.isArray(cells) && cells.length > 0 ? undefined : 'list --json printed no cells';
          } catch (error) {
            return `list --json did not print JSON: ${error.message}`;
          }
        },
      },
    },
    rounds,
  );
  return [
    ratioRow({ workload: '1 start-up: runbook --version', engine: results.version, baselineLabel: 'node -e 0', baseline: results.node }),
    ratioRow({ workload: '1 start-up: runbook list dragonfly.md --json', engine: results.list, baselineLabel: 'node -e 0', baseline: results.node, maxRatio: 2 }),
  ];
}
