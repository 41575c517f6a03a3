/**
 * The floor that issue #29's own rules set, beside the baselines its targets are ratios of.
 * Whatever the engine does, a run of N cells costs at least:
 *   - Node's start, and the synced transcript lines the issue keeps: two per write cell (its
 *     `cell.started` before its first line runs, its `cell.finished` before the next cell
 *     starts), at least one for a run of reads. `synced-lines.js` is a fresh Node process that
 *     appends that many lines, each followed by fdatasync(2), and does nothing else;
 *   - the work of the cells themselves: for SQL, the server's share of psql's run (psql -f of
 *     the statements less psql -f of an empty file: its own start and connection); for shell
 *     cells, one fresh `bash -c` per cell, as the engine runs them.
 * Each floor is summed round by round from those measured parts. Where its ratio to a
 * baseline is above a target, the target cannot be met on this machine without dropping a
 * rule of the issue (or, for shell cells, the fresh process per cell that the goal's own
 * baseline also pays); where it is below, the rest of the gap is the engine's own.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { compare } from '../lib/measure.js';
import { OUT, ROOT, write, shellRunbook, bashPerProcessScript, sqlScript, sqlWritesScript, WRITES_TABLE } from '../lib/generate.js';
import { ratioRow } from '../lib/report.js';

export const title = 'durability floor';
export const rounds = 5;
export const needsDatabase = true;
const SQL_CELLS = 500;
const SHELL_CELLS = 200;

export async function run({ rounds, databaseUrl }) {
  const readsScript = write(`sql-${SQL_CELLS}.sql`, sqlScript(SQL_CELLS));
  const writesScript = write(`sql-writes-${SQL_CELLS}.sql`, sqlWritesScript(SQL_CELLS));
  const emptyScript = write('sql-empty.sql', '');
  const markdown = write(`shell-${SHELL_CELLS}.md`, shellRunbook(SHELL_CELLS));
  const perProcess = write(`shell-${SHELL_CELLS}-per-process.sh`, bashPerProcessScript(SHELL_CELLS));
  const psqlBase = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', databaseUrl];
  const psqlArgs = (file) => [...psqlBase, '-f', file];
  execFileSync('psql', [...psqlBase, '-c', `CREATE TABLE IF NOT EXISTS ${WRITES_TABLE} (n integer)`], { stdio: 'ignore' });
  const emptyTable = () => execFileSync('psql', [...psqlBase, '-c', `TRUNCATE ${WRITES_TABLE}`], { stdio: 'ignore' });
  const synced = (count) => ({ command: process.execPath, args: [join(ROOT, 'bench', 'baselines', 'synced-lines.js'), join(OUT, `synced-${count}.bin`), String(count)], options: {} });
  const results = await compare(
    {
      readsSynced: synced(1),
      psqlReads: { command: 'psql', args: psqlArgs(readsScript), options: {} },
      writesSynced: synced(2 * SQL_CELLS),
      psqlWrites: { command: 'psql', args: psqlArgs(writesScript), options: {}, before: emptyTable },
      psqlEmpty: { command: 'psql', args: psqlArgs(emptyScript), options: {} },
      shellSynced: synced(2 * SHELL_CELLS),
      perProcess: { command: 'bash', args: [perProcess], options: {} },
      zx: { command: join(ROOT, 'node_modules', '.bin', 'zx'), args: [markdown], options: { cwd: ROOT } },
    },
    rounds,
  );
  const failed = Object.values(results).find((entry) => entry.failed)?.failed;
  /** Round by round: the sum of `plus` less `minus` (a part measured in the same round). */
  const sum = (plus, minus = []) => (failed ? { failed } : { ms: plus[0].ms.map((_, round) => plus.reduce((total, part) => total + part.ms[round], 0) - minus.reduce((total, part) => total + part.ms[round], 0)) });
  const sqlReads = sum([results.readsSynced, results.psqlReads], [results.psqlEmpty]);
  const sqlWrites = sum([results.writesSynced, results.psqlWrites], [results.psqlEmpty]);
  const shell = sum([results.shellSynced, results.perProcess]);
  const parts = (lines, work) => `floor = Node's start + ${lines} synced 250-byte line${lines === 1 ? '' : 's'} + ${work}, summed round by round; a target below this ratio cannot be met while the engine keeps issue #29's syncs and does that work`;
  return [
    ratioRow({ workload: `0 floor: ${SQL_CELLS} SQL reads`, engine: sqlReads, baselineLabel: 'psql -f, same statements', baseline: results.psqlReads, note: parts(1, "the server's share of psql's run (psql -f of the reads less psql -f of an empty file)") }),
    ratioRow({ workload: `0 floor: ${SQL_CELLS} SQL INSERTs`, engine: sqlWrites, baselineLabel: 'psql -f, same statements', baseline: results.psqlWrites, note: parts(2 * SQL_CELLS, "the server's share of psql's run (psql -f of the INSERTs less psql -f of an empty file)") }),
    ratioRow({ workload: `0 floor: ${SHELL_CELLS} bash cells`, engine: shell, baselineLabel: 'zx on the same .md', baseline: results.zx, note: parts(2 * SHELL_CELLS, 'one `bash -c` per command') }),
    ratioRow({ workload: `0 floor: ${SHELL_CELLS} bash cells`, engine: shell, baselineLabel: 'bash script, one `bash -c` per command', baseline: results.perProcess, note: parts(2 * SHELL_CELLS, 'one `bash -c` per command') }),
  ];
}
