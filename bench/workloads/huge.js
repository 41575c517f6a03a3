/**
 * Workload 11: inputs that used to break the parser — `runbook list` of a 200,000-cell
 * runbook (4.5 MB; a spread of every cell into Math.max overflowed the stack) and of a
 * list nested 3,000 levels deep (each level rescanned the indentation: 1,000 levels took
 * 21 s, 3,000 did not finish in two minutes) and of a paragraph of 80,000 unclosed `[x` plus
 * as many `**a` (160 KB each; the link patterns were quadratic: 19 s). Generous bounds: these guard against a
 * return of the crash or the polynomial, not a tuning target.
 */
import { compare, median } from '../lib/measure.js';
import { runbook } from '../lib/cli.js';
import { write } from '../lib/generate.js';
import { absoluteRow, formatMs } from '../lib/report.js';

export const title = 'huge inputs';
export const rounds = 2;
const CELLS = 200_000;
const LEVELS = 3_000;

function manyCells() {
  const parts = ['# Many cells', ''];
  for (let i = 0; i < CELLS; i += 1) parts.push('```sh', `echo ${i}`, '```', '');
  return parts.join('\n');
}

function deepList() {
  const parts = ['# Deep', ''];
  for (let i = 0; i < LEVELS; i += 1) parts.push(`${'  '.repeat(i)}- level ${i}`);
  return `${parts.join('\n')}\n`;
}

function brackets() {
  return `# Brackets\n\n${'[x'.repeat(80_000)}\n\n${'**a'.repeat(80_000)}\n`;
}

const lastLine = (pattern) => (result) => (pattern.test(result.stdout) ? undefined : `list printed no ${pattern} line`);

export async function run({ rounds }) {
  const cells = write('huge-cells.md', manyCells());
  const deep = write('huge-deep.md', deepList());
  const links = write('huge-brackets.md', brackets());
  const results = await compare(
    {
      cells: { ...runbook(['list', cells], { stdout: 'capture' }), check: lastLine(/many-cells-200000 +sh/), budgetMs: 120_000, warmup: false },
      deep: { ...runbook(['list', deep], { stdout: 'capture' }), check: lastLine(/no executable cells/), budgetMs: 120_000, warmup: false },
      links: { ...runbook(['list', links], { stdout: 'capture' }), check: lastLine(/no executable cells/), budgetMs: 120_000, warmup: false },
    },
    rounds,
  );
  return [
    absoluteRow({
      workload: `11 huge: list, ${CELLS.toLocaleString('en')} cells (4.5 MB)`,
      value: results.cells.failed ? 0 : median(results.cells.ms),
      failed: results.cells.failed,
      format: formatMs,
      max: 60_000,
      rounds: results.cells.ms.length,
      baselineLabel: 'bound: 60 s (crashed before: stack overflow)',
    }),
    absoluteRow({
      workload: `11 huge: list, a list nested ${LEVELS.toLocaleString('en')} levels (9 MB)`,
      value: results.deep.failed ? 0 : median(results.deep.ms),
      failed: results.deep.failed,
      format: formatMs,
      max: 15_000,
      rounds: results.deep.ms.length,
      baselineLabel: 'bound: 15 s (before: 1,000 levels 21 s, 3,000 > 120 s)',
    }),
    absoluteRow({
      workload: '11 huge: list, 80,000 unclosed [x and **a (320 KB)',
      value: results.links.failed ? 0 : median(results.links.ms),
      failed: results.links.failed,
      format: formatMs,
      max: 10_000,
      rounds: results.links.ms.length,
      baselineLabel: 'bound: 10 s (before: 160 KB of [x took 19 s)',
    }),
  ];
}
