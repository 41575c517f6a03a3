/**
 * A run connects to its database once: preflight's session (the catalogue lookup) is handed
 * to the SQL executor for the cells (src/engine/lang/sql/handover.ts). These check that it is
 * the same backend, renamed, that only a live idle session is taken, that what the server
 * reported at its start still counts (the lexing settings), and that a session nobody took
 * neither keeps the CLI alive nor outlives it. Real PostgreSQL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSqlExecutor } from '../src/engine/lang/sql/executor.js';
import { probeDatabase } from '../src/engine/lang/sql/probe.js';
import { endParked } from '../src/engine/lang/sql/handover.js';
import type { Executor, ExecutorEvent } from '../src/engine/lang/executor.js';
import { freshDatabase, query } from './support/database.js';
import { contextFor } from './support/executor-context.js';
import { runCli, tempDir } from './runner-support.js';

const executors: Executor[] = [];
afterEach(async () => {
  await Promise.all(executors.splice(0).map((e) => e.close()));
  endParked();
});

function sqlExecutor(url: string): Executor {
  const executor = createSqlExecutor({ url, applicationName: 'runbook-handover-test' });
  executors.push(executor);
  return executor;
}

const cells = [{ lang: 'sql', source: 'SELECT 1' }];
const nameOf = (url: string) => new URL(url).pathname.slice(1);

/** The sessions connected to the database of `url`, but the one asking. */
const sessions = (url: string) =>
  query<{ pid: number; app: string; state: string }>(url, 'SELECT pid, application_name AS app, state FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() ORDER BY pid', [nameOf(url)]);

const firstRow = (events: ExecutorEvent[]) => {
  const result = events.find((e) => e.type === 'sql.result');
  return result?.type === 'sql.result' ? result.rows[0] : undefined;
};

describe('the preflight session is the cells’ session', () => {
  it('the first cell runs on the backend preflight opened, under the executor’s name; closing the executor ends it', async () => {
    const url = await freshDatabase();
    expect(await probeDatabase(url, cells)).toMatchObject({ catalogue: expect.anything() });
    const parked = await sessions(url);
    expect(parked).toMatchObject([{ app: 'runbook preflight', state: 'idle' }]);
    const executor = sqlExecutor(url);
    const cell = contextFor('sql', "SELECT pg_backend_pid(), current_setting('application_name')", { readOnly: true });
    expect(await executor.run(cell.context)).toEqual({ status: 'succeeded' });
    expect(firstRow(cell.events)).toEqual([String(parked[0]!.pid), 'runbook-handover-test']);
    expect(cell.output()).toBe('');
    await executors.pop()!.close();
    await expect.poll(() => sessions(url), { timeout: 5000 }).toEqual([]);
  });

  it('a parked session killed before the first cell is not used: the cell runs on a new one, with no word of a lost session', async () => {
    const url = await freshDatabase();
    await probeDatabase(url, cells);
    const [parked] = await sessions(url);
    await query(url, 'SELECT pg_terminate_backend($1)', [parked!.pid]);
    const cell = contextFor('sql', 'SELECT pg_backend_pid()', { readOnly: true });
    expect(await sqlExecutor(url).run(cell.context)).toEqual({ status: 'succeeded' });
    expect(firstRow(cell.events)).not.toEqual([String(parked!.pid)]);
    expect(cell.output()).toBe('');
  });

  it('only an executor for the same URL takes it', async () => {
    const url = await freshDatabase();
    const other = await freshDatabase();
    await probeDatabase(url, cells);
    const [parked] = await sessions(url);
    const cell = contextFor('sql', 'SELECT pg_backend_pid()', { readOnly: true });
    expect(await sqlExecutor(other).run(cell.context)).toEqual({ status: 'succeeded' });
    expect(firstRow(cell.events)).not.toEqual([String(parked!.pid)]);
    expect(await sessions(url)).toMatchObject([{ pid: parked!.pid, app: 'runbook preflight' }]);
  });

  it('what the server reported at the session’s start still counts: standard_conforming_strings off by default is set back', async () => {
    const url = await freshDatabase();
    await query(url, `ALTER DATABASE "${nameOf(url)}" SET standard_conforming_strings = off`);
    await probeDatabase(url, cells);
    const k = 1_000_000 + Math.floor(Math.random() * 1_000_000_000);
    const cell = contextFor('sql', `SELECT 'a\\'' , pg_advisory_lock(${k}) -- '`, { readOnly: true });
    expect(await sqlExecutor(url).run(cell.context)).toEqual({ status: 'succeeded' });
    expect(cell.output('notice')).toContain('standard_conforming_strings was off; set to on');
    expect(await query(url, "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1", [k])).toEqual([]);
  });

  it('a run that ends before its first SQL cell exits at once and leaves no session behind', async () => {
    const url = await freshDatabase();
    const dir = tempDir();
    const runbook = join(dir, 'early.md');
    writeFileSync(runbook, '# Early\n\n```sh\nexit 3\n```\n\n```sql\nSELECT 1;\n```\n');
    const result = await runCli(['run', runbook, '--yes', '--allow-writes', '--db', url, '--transcript', join(dir, 't.jsonl')]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    await expect.poll(() => sessions(url), { timeout: 5000 }).toEqual([]);
  });
});
