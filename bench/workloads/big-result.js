/** Workload 5: a 2,000,000-row result against psql -c into /dev/null; exact rowCount from the transcript. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { compare } from '../lib/measure.js';
import { runbook, readEvents } from '../lib/cli.js';
import { OUT, write, bigResultRunbook, BIG_RESULT_SQL, BIG_RESULT_ROWS } from '../lib/generate.js';
import { ratioRow, absoluteRow, peakRssRow } from '../lib/report.js';

export const title = 'big result';
export const rounds = 3;
export const needsDatabase = true;
const MAX_RSS_KB = 200 * 1024;

export async function run({ rounds, databaseUrl }) {
  const markdown = write('big-result.md', bigResultRunbook());
  const transcript = join(OUT, 'big-result.jsonl');
  let rowCount;
  const results = await compare(
    {
      engine: {
        ...runbook(['run', markdown, '--yes', '--db', databaseUrl, '--transcript', transcript], { rss: true }),
        before: () => rmSync(transcript, { force: true }),
        check: async () => {
          const result = (await readEvents(transcript)).find((e) => e.type === 'sql.result');
          if (!result) return 'no sql.result event in the transcript';
          rowCount = result.rowCount;
          return rowCount === BIG_RESULT_ROWS ? undefined : `sql.result rowCount is ${rowCount}, expected ${BIG_RESULT_ROWS}`;
        },
      },
      psql: { command: 'psql', args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl, '-c', BIG_RESULT_SQL], options: { rss: true } },
    },
    rounds,
  );
  const engine = results.engine;
  return [
    ratioRow({ workload: '5 big result: 2,000,000 rows', engine, baselineLabel: 'psql -c > /dev/null', baseline: results.psql, maxRatio: 1.5 }),
    peakRssRow({ workload: '5 big result: peak RSS of the engine', engine, max: MAX_RSS_KB, baselineLabel: 'psql -c > /dev/null', baseline: results.psql }),
    absoluteRow({
      workload: '5 big result: sql.result rowCount',
      value: rowCount,
      failed: engine.failed,
      format: (n) => (n === undefined ? '—' : n.toLocaleString('en-US')),
      exact: BIG_RESULT_ROWS,
      note: 'checked every round: exactly 2,000,000 (a lower count fails the row)',
    }),
  ];
}
