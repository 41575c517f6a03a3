/**
 * Workload 3: 500 single-statement SQL cells (reads, then single-row INSERTs) against psql -f
 * of the same statements, and a one-cell `SELECT 1` run against `node -e 0`.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { compare } from '../lib/measure.js';
import { runbook, succeededCells } from '../lib/cli.js';
import { OUT, write, sqlRunbook, sqlScript, sqlWritesRunbook, sqlWritesScript, oneCellRunbook, WRITES_TABLE } from '../lib/generate.js';
import { ratioRow } from '../lib/report.js';

// The warm-up round leaves the SQL parser's answers in the user's cache (src/engine/lang/sql/parse-store.ts):
// the counted rounds are second runs of the same SQL, which load no WASM (`list`'s first-run row shows that cost).
const STORE_WARM = "the SQL parser's answers kept from the warm-up round (the user's cache), as on any second run of the same SQL";

export const title = 'SQL cells';
export const rounds = 5;
export const needsDatabase = true;
const CELLS = 500;

export async function run({ rounds, databaseUrl }) {
  const markdown = write(`sql-${CELLS}.md`, sqlRunbook(CELLS));
  const script = write(`sql-${CELLS}.sql`, sqlScript(CELLS));
  const transcript = join(OUT, `sql-${CELLS}.jsonl`);
  const writesMarkdown = write(`sql-writes-${CELLS}.md`, sqlWritesRunbook(CELLS));
  const writesScript = write(`sql-writes-${CELLS}.sql`, sqlWritesScript(CELLS));
  const writesTranscript = join(OUT, `sql-writes-${CELLS}.jsonl`);
  const oneCell = write('sql-one-cell.md', oneCellRunbook());
  const oneCellTranscript = join(OUT, 'sql-one-cell.jsonl');
  const psql = (args) => execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl, ...args], { stdio: 'ignore' });
  psql(['-c', `CREATE TABLE IF NOT EXISTS ${WRITES_TABLE} (n integer)`]);
  // Every round inserts into an empty table, engine and psql alike.
  const emptyTable = () => psql(['-c', `TRUNCATE ${WRITES_TABLE}`]);
  const results = await compare(
    {
      engine: {
        ...runbook(['run', markdown, '--yes', '--db', databaseUrl, '--transcript', transcript]),
        before: () => rmSync(transcript, { force: true }),
        check: succeededCells(transcript, CELLS),
        budgetMs: 60_000,
      },
      psql: { command: 'psql', args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl, '-f', script], options: {} },
      writes: {
        ...runbook(['run', writesMarkdown, '--yes', '--allow-writes', '--db', databaseUrl, '--transcript', writesTranscript]),
        before: () => (rmSync(writesTranscript, { force: true }), emptyTable()),
        check: succeededCells(writesTranscript, CELLS),
        budgetMs: 60_000,
      },
      psqlWrites: { command: 'psql', args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl, '-f', writesScript], options: {}, before: emptyTable },
      oneCell: {
        ...runbook(['run', oneCell, '--yes', '--db', databaseUrl, '--transcript', oneCellTranscript]),
        before: () => rmSync(oneCellTranscript, { force: true }),
        check: succeededCells(oneCellTranscript, 1),
      },
      node: { command: process.execPath, args: ['-e', '0'], options: {} },
    },
    rounds,
  );
  return [
    ratioRow({ workload: `3 SQL: ${CELLS} reads --yes`, engine: results.engine, baselineLabel: 'psql -f, same statements', baseline: results.psql, maxRatio: 3, note: STORE_WARM }),
    ratioRow({ workload: `3 SQL: ${CELLS} single-row INSERTs --yes --allow-writes`, engine: results.writes, baselineLabel: 'psql -f, same statements', baseline: results.psqlWrites, maxRatio: 3, note: STORE_WARM }),
    ratioRow({ workload: '3 SQL: run --yes of one `SELECT 1` cell', engine: results.oneCell, baselineLabel: 'node -e 0', baseline: results.node, maxRatio: 2.5, note: STORE_WARM }),
  ];
}
