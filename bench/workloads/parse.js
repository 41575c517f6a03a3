/**
 * Workload 6: `runbook list --json` of a generated 10,000-cell runbook (target ≤ 1.5 s),
 * against remark (unified + GFM + frontmatter) parsing the same file, and growth over
 * 5,000 / 10,000 / 20,000 cells.
 */
import { compare, median } from '../lib/measure.js';
import { runbook } from '../lib/cli.js';
import { write, parseRunbook, parseRunbookCells } from '../lib/generate.js';
import { absoluteRow, cappedTimeRow, formatMs } from '../lib/report.js';
import { join } from 'node:path';
import { ROOT } from '../lib/generate.js';

export const title = 'parse';
export const rounds = 3;
const SIZES = [5_000, 10_000, 20_000];
const MAX_MS = 1500;
// Linear growth doubles the time net of start-up when the cells double; quadratic quadruples it.
const MAX_DOUBLING = 2.5;

const listCells = (expected) => (result) => {
  try {
    const cells = JSON.parse(result.stdout).cells;
    return cells?.length === expected ? undefined : `list --json printed ${cells?.length} cells, expected ${expected}`;
  } catch (error) {
    return `list --json did not print JSON: ${error.message}`;
  }
};

export async function run({ rounds }) {
  const files = Object.fromEntries([1, ...SIZES].map((n) => [n, write(`parse-${n}.md`, parseRunbook(n))]));
  const commands = {
    remark: { command: process.execPath, args: [join(ROOT, 'bench', 'baselines', 'remark-parse.js'), files[10_000]], options: { stdout: 'capture' }, budgetMs: 10_000, warmup: false },
  };
  for (const n of [1, ...SIZES]) {
    commands[n] = {
      ...runbook(['list', files[n], '--json'], { stdout: 'capture' }),
      check: listCells(parseRunbookCells(n)),
      // The generator just wrote the file, so it is in the page cache; a slow parse gets fewer rounds.
      warmup: n === 1,
      budgetMs: 10_000,
    };
  }
  const results = await compare(commands, rounds);
  const ten = results[10_000];
  const rows = [
    cappedTimeRow({
      workload: '6 parse: list --json, 10,000 cells',
      engine: ten,
      max: MAX_MS,
      // A peer, not a floor: the CommonMark parser the engine's own scanner is checked against.
      baselineLabel: 'remark + GFM + frontmatter, same file',
      baseline: results.remark,
    }),
  ];
  const failed = [1, ...SIZES].map((n) => results[n].failed).find(Boolean);
  const net = Object.fromEntries(SIZES.map((n) => [n, failed ? 0 : median(results[n].ms) - median(results[1].ms)]));
  const doubling = Math.max(net[10_000] / net[5_000], net[20_000] / net[10_000]);
  rows.push(
    absoluteRow({
      workload: '6 parse: growth 5k → 10k → 20k cells',
      value: doubling,
      failed,
      format: (x) => `×${x.toFixed(2)} per doubling`,
      max: MAX_DOUBLING,
      baselineLabel: 'linear = ×2.00',
      note: failed
        ? undefined
        : `medians ${SIZES.map((n) => `${n / 1000}k ${formatMs(median(results[n].ms))}`).join(', ')}; 1 cell ${formatMs(median(results[1].ms))} (start-up, subtracted); the worse of 10k/5k and 20k/10k`,
    }),
  );
  return rows;
}
