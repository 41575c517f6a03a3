import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../src/engine/parse.js';
import { planConfirm, planRun } from '../src/engine/plan/index.js';
import { preflight, type PreflightInput, type Problem } from '../src/engine/preflight.js';
import type { Target } from '../src/engine/target.js';
import { databaseUrl } from './support/database.js';
import { noTarget, postgresTarget } from './runner-support.js';

const runbook = parseRunbook(
  [
    '# P',
    '## Steps',
    '```sql {name=read}',
    'SELECT 1;',
    '```',
    '```sql {name=write}',
    'UPDATE t SET x = <VALUE>;',
    '```',
    '```powershell {name=ps}',
    'Write-Output <VALUE>',
    '```',
    '```sh {name=look readonly}',
    'ls',
    '```',
    '```sh {name=skipped skip}',
    'echo <NEVER>',
    '```',
  ].join('\n'),
  'p.md',
);
interface Given {
  mode?: PreflightInput['mode'];
  target?: Target;
  missing?: string[];
  allowWrites?: boolean;
  strict?: boolean;
  checkDatabase?: boolean;
}

/** Preflight over the plan the session would make: the facts come from planRun, the verdicts from preflight. */
async function check(given: Given = {}): Promise<Problem[]> {
  const mode = given.mode ?? 'unattended';
  const target = given.target ?? noTarget;
  const plan = await planRun({ runbook, env: { PATH: '/usr/bin:/bin' }, mode, allowWrites: given.allowWrites ?? true, target: () => target.kind });
  return preflight({ plan, runbook, mode, target, missing: given.missing ?? [], strict: given.strict ?? false, checkDatabase: given.checkDatabase ?? false });
}

describe('preflight', () => {
  it('lists each missing value with the cells that use it and will run (not ps: no pwsh here); fatal except in a dry run', async () => {
    const problems = await check({ missing: ['VALUE'] });
    expect(problems.find((p) => p.kind === 'missing-variable')).toEqual({
      kind: 'missing-variable',
      message: 'no value for <VALUE> (used by write); pass --var VALUE=VALUE or set VALUE in the environment',
      cells: ['write'],
      fatal: true,
    });
    const dry = await check({ missing: ['VALUE'], mode: 'dry-run' });
    expect(dry.find((p) => p.kind === 'missing-variable')?.fatal).toBe(false);
  });

  it('names a missing interpreter and the cells it affects; --strict makes it fatal', async () => {
    const [problem] = (await check()).filter((p) => p.kind === 'missing-interpreter');
    expect(problem).toMatchObject({ cells: ['ps'], fatal: false, message: expect.stringMatching(/^pwsh is not on PATH; skipping ps/) });
    const strict = (await check({ strict: true })).find((p) => p.kind === 'missing-interpreter');
    expect(strict?.fatal).toBe(true);
  });

  it('refuses unattended writes against a real database without --allow-writes, listing them (not reads, not cells that will not run)', async () => {
    const target = postgresTarget('postgres://u:pw@db.example.com/prod');
    const problems = await check({ target, allowWrites: false });
    expect(problems.find((p) => p.kind === 'write-refused')).toMatchObject({ cells: ['write'], fatal: true });
    expect(await check({ target, allowWrites: true })).not.toContainEqual(expect.objectContaining({ kind: 'write-refused' }));
    expect(await check({ target: postgresTarget(databaseUrl(), 'sandbox'), allowWrites: false })).not.toContainEqual(
      expect.objectContaining({ kind: 'write-refused' }),
    );
    expect(await check({ target, allowWrites: false, mode: 'interactive' })).not.toContainEqual(expect.objectContaining({ kind: 'write-refused' }));
  });

  it('checks that the database answers, in one line with the password masked', async () => {
    const down = await check({ target: postgresTarget('postgres://u:hunter22@127.0.0.1:1/prod'), checkDatabase: true });
    const problem = down.find((p) => p.kind === 'database-unreachable');
    expect(problem?.message).toMatch(/^cannot connect to postgres:\/\/u:\*+@127\.0\.0\.1:1\/prod: connection refused/);
    expect(problem?.message).not.toContain('hunter22');
    // The incident the runbook is for: said, not fatal; --strict refuses.
    expect(problem).toMatchObject({ fatal: false, message: expect.stringMatching(/\(SQLSTATE 08001\); the SQL cells \(.+\) connect when they run and fail until it answers, the other cells run/) });
    const strict = await check({ target: postgresTarget('postgres://u:hunter22@127.0.0.1:1/prod'), checkDatabase: true, strict: true });
    expect(strict.find((p) => p.kind === 'database-unreachable')).toMatchObject({ fatal: true, message: expect.stringMatching(/drop --strict/) });
    const badPassword = new URL(databaseUrl());
    badPassword.password = 'wrong-password';
    const refused = await check({ target: postgresTarget(badPassword.toString()), checkDatabase: true });
    expect(refused.find((p) => p.kind === 'database-unreachable')?.message).toMatch(/password authentication failed/);
    expect(await check({ target: postgresTarget(databaseUrl()), checkDatabase: true })).not.toContainEqual(
      expect.objectContaining({ kind: 'database-unreachable' }),
    );
  });

  it('a `confirm` cell needs confirmation even in the sandbox; a write only against a real database', () => {
    const [read, write] = runbook.cells;
    expect(planConfirm(write!, 'write', { targetKind: 'sandbox' })).toEqual({ required: false, because: 'write in the sandbox' });
    expect(planConfirm(write!, 'write', { targetKind: 'postgres' })).toEqual({ required: true, because: 'write against postgres' });
    expect(planConfirm(read!, 'read', { targetKind: 'postgres' })).toEqual({ required: false, because: 'read' });
    expect(planConfirm({ attributes: { confirm: true } }, 'read', { targetKind: 'sandbox' })).toEqual({ required: true, because: 'confirm attribute' });
    expect(planConfirm(write!, 'write', { targetKind: 'postgres', mode: 'unattended', allowWrites: false })).toMatchObject({ unattended: 'refused' });
    expect(planConfirm(write!, 'write', { targetKind: 'postgres', mode: 'unattended', allowWrites: true })).toMatchObject({ unattended: 'allowed-by-flag' });
  });
});
