import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../src/engine/parse.js';
import { needsConfirmation, preflight, type PreflightInput } from '../src/engine/preflight.js';
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
const effects = new Map([['read', 'read'], ['write', 'write'], ['ps', 'write'], ['look', 'read'], ['skipped', 'write']] as const);

function input(overrides: Partial<PreflightInput>): PreflightInput {
  return {
    cells: runbook.cells,
    mode: 'unattended',
    target: noTarget,
    effects,
    missing: [],
    allowWrites: true,
    strict: false,
    env: { PATH: '/usr/bin:/bin' },
    checkDatabase: false,
    ...overrides,
  };
}

describe('preflight', () => {
  it('lists each missing value with the cells that use it; fatal except in a dry run', async () => {
    const problems = await preflight(input({ missing: ['VALUE'] }));
    expect(problems.find((p) => p.kind === 'missing-variable')).toEqual({
      kind: 'missing-variable',
      message: 'no value for <VALUE> (used by write, ps); pass --var VALUE=VALUE or set VALUE in the environment',
      cells: ['write', 'ps'],
      fatal: true,
    });
    const dry = await preflight(input({ missing: ['VALUE'], mode: 'dry-run' }));
    expect(dry.find((p) => p.kind === 'missing-variable')?.fatal).toBe(false);
  });

  it('names a missing interpreter and the cells it affects; --strict makes it fatal', async () => {
    const [problem] = (await preflight(input({}))).filter((p) => p.kind === 'missing-interpreter');
    expect(problem).toMatchObject({ cells: ['ps'], fatal: false, message: expect.stringMatching(/^pwsh is not on PATH; skipping ps/) });
    const strict = (await preflight(input({ strict: true }))).find((p) => p.kind === 'missing-interpreter');
    expect(strict?.fatal).toBe(true);
  });

  it('refuses unattended writes against a real database without --allow-writes, listing them (not reads, not skipped cells)', async () => {
    const target = postgresTarget('postgres://u:pw@db.example.com/prod');
    const problems = await preflight(input({ target, allowWrites: false }));
    expect(problems.find((p) => p.kind === 'write-refused')).toMatchObject({ cells: ['write', 'ps'], fatal: true });
    expect(await preflight(input({ target, allowWrites: true }))).not.toContainEqual(expect.objectContaining({ kind: 'write-refused' }));
    expect(await preflight(input({ target: postgresTarget(databaseUrl(), 'sandbox'), allowWrites: false }))).not.toContainEqual(
      expect.objectContaining({ kind: 'write-refused' }),
    );
    expect(await preflight(input({ target, allowWrites: false, mode: 'interactive' }))).not.toContainEqual(expect.objectContaining({ kind: 'write-refused' }));
  });

  it('checks that the database answers, in one line with the password masked', async () => {
    const down = await preflight(input({ target: postgresTarget('postgres://u:hunter22@127.0.0.1:1/prod'), checkDatabase: true }));
    const problem = down.find((p) => p.kind === 'database-unreachable');
    expect(problem?.message).toMatch(/^cannot connect to postgres:\/\/u:\*+@127\.0\.0\.1:1\/prod: connection refused/);
    expect(problem?.message).not.toContain('hunter22');
    const badPassword = new URL(databaseUrl());
    badPassword.password = 'wrong-password';
    const refused = await preflight(input({ target: postgresTarget(badPassword.toString()), checkDatabase: true }));
    expect(refused.find((p) => p.kind === 'database-unreachable')?.message).toMatch(/password authentication failed/);
    expect(await preflight(input({ target: postgresTarget(databaseUrl()), checkDatabase: true }))).not.toContainEqual(
      expect.objectContaining({ kind: 'database-unreachable' }),
    );
  });

  it('a `confirm` cell needs confirmation even in the sandbox; a write only against a real database', () => {
    const [read, write] = runbook.cells;
    expect(needsConfirmation(write!, 'write', postgresTarget(databaseUrl(), 'sandbox'))).toBe(false);
    expect(needsConfirmation(write!, 'write', postgresTarget(databaseUrl()))).toBe(true);
    expect(needsConfirmation(read!, 'read', postgresTarget(databaseUrl()))).toBe(false);
    expect(needsConfirmation({ ...read!, attributes: { confirm: true } }, 'read', postgresTarget(databaseUrl(), 'sandbox'))).toBe(true);
  });
});
