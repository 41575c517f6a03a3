/**
 * A sick database is the incident, not bad input: the run degrades. Cells that need no
 * database run; each SQL cell connects when it runs and fails with the reason and its
 * SQLSTATE; a database that comes back mid-run is used; `--strict` refuses as before.
 * Real PostgreSQL (a role at its connection limit), the built CLI, real bash.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, query } from './support/database.js';
import { parseLines, runCli, tempDir } from './runner-support.js';
import { makeWorld, removeWorlds, worldReady } from './support/world.js';
import type { RunEvent } from '../src/engine/events.js';

const RUNBOOK = `# Sick database

## Contain

\`\`\`sh {name=contain}
echo contained
\`\`\`

## Look

\`\`\`sql {name=look}
SELECT 1 AS one;
\`\`\`

## Recover

\`\`\`sh {name=recover}
psql "$ADMIN_URL" -qAtc "ALTER ROLE $LIMITED_ROLE CONNECTION LIMIT -1" && echo recovered
\`\`\`

## Look again

\`\`\`sql {name=look-again}
SELECT 2 AS two;
\`\`\`
`;

let admin: string;
let limited: string;
let role: string;
let file: string;

beforeAll(async () => {
  admin = await freshDatabase('sick');
  role = `sick_${randomBytes(3).toString('hex')}`;
  // A role at its connection limit: the server says 53300 (too many connections) to every attempt.
  await query(admin, `CREATE ROLE ${role} LOGIN PASSWORD 'limited-pw' CONNECTION LIMIT 0`);
  const url = new URL(admin);
  url.username = role;
  url.password = 'limited-pw';
  limited = url.toString();
  file = join(tempDir(), 'sick.md');
  writeFileSync(file, RUNBOOK);
});

afterAll(async () => {
  removeWorlds();
  await query(admin, `DROP ROLE IF EXISTS ${role}`).catch(() => {});
});

const limit = (n: number) => query(admin, `ALTER ROLE ${role} CONNECTION LIMIT ${n}`);
const finished = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'cell.finished' ? [[e.cell, e.status, e.error?.code ?? '']] : []));

describe('a database at its connection limit', () => {
  it('runs the cells that need no database; each SQL cell fails with 53300; exit 1; preflight and the record say so once', async () => {
    await limit(0);
    const transcript = join(tempDir(), 'keep-going.jsonl');
    // `recover` is skipped: it would lift the limit (that is the next test).
    const result = await runCli(['run', file, '--yes', '--keep-going', '--allow-writes', '--only', 'contain,look,look-again', '--db', limited, '--transcript', transcript]);
    expect(result.code, result.stderr).toBe(1);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(finished(events)).toEqual([
      ['contain', 'succeeded', ''],
      ['look', 'failed', '53300'],
      ['look-again', 'failed', '53300'],
    ]);
    const failure = events.find((e) => e.type === 'cell.finished' && e.cell === 'look');
    expect(failure).toMatchObject({ error: { unreachable: true, message: expect.stringMatching(/^could not connect to postgres:\/\/sick_\w+:\*+@.*too many connections/) } });
    const preflight = events.find((e) => e.type === 'run.preflight');
    expect(preflight).toMatchObject({ database: { reachable: false, code: '53300', url: expect.stringContaining(':********@') } });
    expect(preflight?.type === 'run.preflight' && preflight.problems).toEqual([
      expect.objectContaining({ kind: 'database-unreachable', fatal: false, cells: ['look', 'look-again'] }),
    ]);
    expect(result.stdout).toMatch(/⚠ preflight: cannot connect to .*too many connections.* \(SQLSTATE 53300\); the SQL cells \(look, look-again\) connect when they run/);
    expect(result.stdout).toContain('contained');
    expect(result.stdout + result.stderr + readFileSync(transcript, 'utf8')).not.toContain('limited-pw');
  });

  it('without --keep-going the run stops at the first SQL cell that cannot connect (exit 1), after the cells before it ran', async () => {
    await limit(0);
    const transcript = join(tempDir(), 'stop.jsonl');
    const result = await runCli(['run', file, '--yes', '--allow-writes', '--only', 'contain,look,look-again', '--db', limited, '--transcript', transcript]);
    expect(result.code, result.stderr).toBe(1);
    expect(finished(parseLines(readFileSync(transcript, 'utf8')))).toEqual([
      ['contain', 'succeeded', ''],
      ['look', 'failed', '53300'],
    ]);
  });

  it('a database that comes back mid-run is used by the next SQL cell', async () => {
    await limit(0);
    const transcript = join(tempDir(), 'back.jsonl');
    const result = await runCli(['run', file, '--yes', '--keep-going', '--allow-writes', '--db', limited, '--transcript', transcript], {
      env: { ADMIN_URL: admin, LIMITED_ROLE: role },
    });
    expect(result.code, result.stderr).toBe(1);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(finished(events)).toEqual([
      ['contain', 'succeeded', ''],
      ['look', 'failed', '53300'],
      ['recover', 'succeeded', ''],
      ['look-again', 'succeeded', ''],
    ]);
    expect(events.find((e) => e.type === 'sql.result' && e.cell === 'look-again')).toMatchObject({ rows: [['2']] });
  });

  it('--strict keeps the refusal: exit 2, one line, no cell runs', async () => {
    await limit(0);
    const transcript = join(tempDir(), 'strict.jsonl');
    const result = await runCli(['run', file, '--yes', '--strict', '--allow-writes', '--only', 'contain,look', '--db', limited, '--transcript', transcript]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^runbook: cannot connect to .*too many connections.*drop --strict/)]);
    expect(parseLines(readFileSync(transcript, 'utf8')).some((e) => e.type === 'cell.started')).toBe(false);
  });

  it('a refused port fails the SQL cell with 08001 and the reason; the shell cell before it ran', async () => {
    const transcript = join(tempDir(), 'refused.jsonl');
    const result = await runCli(['run', file, '--yes', '--keep-going', '--allow-writes', '--only', 'contain,look', '--db', 'postgres://ops:s3cret-pw@127.0.0.1:1/prod', '--transcript', transcript]);
    expect(result.code).toBe(1);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(finished(events)).toEqual([['contain', 'succeeded', ''], ['look', 'failed', '08001']]);
    expect(events.find((e) => e.type === 'cell.finished' && e.cell === 'look')).toMatchObject({ error: { message: expect.stringMatching(/connection refused/) } });
    expect(result.stdout + result.stderr).not.toContain('s3cret-pw');
  });

  it.runIf(worldReady)("runbooks/dragonfly.md in the client's world: railway and the PowerShell cells run, the SQL cells fail with 53300, exit 1", async () => {
    await limit(0);
    const world = makeWorld(admin);
    const transcript = join(tempDir(), 'world.jsonl');
    const result = await runCli(
      ['run', join(world.dir, 'dragonfly.md'), '--yes', '--keep-going', '--allow-writes', '--db', limited, '--var', 'GOOD_SHA=abc1234', '--var', 'timestamp=20261128193000', '--transcript', transcript],
      { env: { ...world.env, SUPABASE_DB_URL: '' }, cwd: world.dir },
    );
    expect(result.code, result.stderr).toBe(1);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    const started = events.flatMap((e) => (e.type === 'cell.started' ? [e.cell] : []));
    expect(started).toEqual(['1-immediate-containment-2-min', '2-diagnostics-sql-run-against-prod', 'env-hygiene', 'apply-missing-grants-rls', 'rollback-if-bad-deploy', 'release-stuck-jobs', '4-verification']);
    const sql = events.flatMap((e) => (e.type === 'cell.finished' && ['2-diagnostics-sql-run-against-prod', 'release-stuck-jobs'].includes(e.cell) ? [[e.status, e.error?.code]] : []));
    expect(sql).toEqual([['failed', '53300'], ['failed', '53300']]);
    // Containment reached Railway: the stand-in logs every call.
    expect(readFileSync(join(world.dir, '.world', 'railway.calls'), 'utf8')).toMatch(/railway service update --name dragonfly-worker --replicas 0/);
  }, 120_000);
});
