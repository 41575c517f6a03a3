/** Workload 3: 500 single-statement SQL cells against psql -f of the same statements. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { compare } from '../lib/measure.js';
import { runbook, succeededCells } from '../lib/cli.js';
import { OUT, write, sqlRunbook, sqlScript } from '../lib/generate.js';
import { ratioRow } from '../lib/report.js';

export const title = 'SQL cells';
export const rounds = 5;
export const needsDatabase = true;
const CELLS = 500;

export async function run({ rounds, databaseUrl }) {
  const markdown = write(`sql-${CELLS}.md`, sqlRunbook(CELLS));
  const script = write(`sql-${CELLS}.sql`, sqlScript(CELLS));
  const transcript = join(OUT, `sql-${CELLS}.jsonl`);
  const results = await compare(
    {
      engine: {
        ...runbook(['run', markdown, '--yes', '--db', databaseUrl, '--transcript', transcript]),
        before: () => rmSync(transcript, { force: true }),
        check: succeededCells(transcript, CELLS),
        budgetMs: 60_000,
      },
      psql: { command: 'psql', args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl, '-f', script], options: {} },
    },
    rounds,
  );
  return [ratioRow({ workload: `3 SQL: ${CELLS} cells --yes`, engine: results.engine, baselineLabel: 'psql -f, same statements', baseline: results.psql, maxRatio: 1.5 })];
}
