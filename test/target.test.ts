/**
 * Target resolution: --db > RUNBOOK_DATABASE_URL > frontmatter `database:` > the sandbox,
 * and a configured target that is broken is an error, never a silent sandbox.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/engine/errors.js';
import { parseRunbook, readRunbookFile } from '../src/engine/parse.js';
import type { Runbook } from '../src/engine/runbook.js';
import { sandboxStatus } from '../src/engine/sandbox.js';
import { resolveTarget, seedFileFor } from '../src/engine/target.js';
import { DRAGONFLY, freshSandboxEnv, removeSandbox, rows } from './sandbox.helpers.js';

const sandboxEnv = freshSandboxEnv();
const PROD = 'postgres://admin:s3cret@db.example.com:5432/postgres';
const OTHER = 'postgresql://ops:hunter22@replica.example.com/ledger';
let dragonfly: Runbook;
let dir: string;

/** An environment with nothing configured but the private sandbox directory. */
function envWith(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { RUNBOOK_DATABASE_URL: _a, SUPABASE_DB_URL: _b, ...rest } = sandboxEnv;
  return { ...rest, ...extra };
}

function runbookFrom(name: string, text: string): Runbook {
  const path = join(dir, name);
  writeFileSync(path, text);
  return parseRunbook(text, path);
}

function notStarted(): void {
  expect(sandboxStatus({ env: sandboxEnv }).initialised).toBe(false);
}

beforeAll(async () => {
  dragonfly = await readRunbookFile(DRAGONFLY);
  dir = mkdtempSync(join(tmpdir(), 'runbook-target-'));
});
afterAll(async () => {
  await removeSandbox(sandboxEnv);
  rmSync(dir, { recursive: true, force: true });
});

describe('resolveTarget: configured targets, in order', () => {
  it('takes --db first, names it database@host, masks it, and keeps the frontmatter variable', async () => {
    const target = await resolveTarget({
      db: PROD,
      env: envWith({ RUNBOOK_DATABASE_URL: OTHER, SUPABASE_DB_URL: OTHER }),
      runbook: dragonfly,
      needsDatabase: true,
    });
    expect(target).toEqual({
      kind: 'postgres',
      url: PROD,
      maskedUrl: 'postgres://admin:********@db.example.com:5432/postgres',
      name: 'postgres@db.example.com',
      envVar: 'SUPABASE_DB_URL',
      source: 'flag',
    });
  });

  it('takes RUNBOOK_DATABASE_URL over the frontmatter variable', async () => {
    const target = await resolveTarget({ env: envWith({ RUNBOOK_DATABASE_URL: OTHER, SUPABASE_DB_URL: PROD }), runbook: dragonfly, needsDatabase: true });
    expect(target).toMatchObject({ kind: 'postgres', url: OTHER, name: 'ledger@replica.example.com', source: 'env' });
  });

  it("takes the frontmatter's $VARIABLE when it is set", async () => {
    const target = await resolveTarget({ env: envWith({ SUPABASE_DB_URL: PROD }), runbook: dragonfly, needsDatabase: true });
    expect(target).toMatchObject({ kind: 'postgres', url: PROD, envVar: 'SUPABASE_DB_URL', source: 'frontmatter' });
  });

  it('reads ${VAR} and literal URLs in the frontmatter', async () => {
    const braced = runbookFrom('braced.md', '---\ndatabase: ${LEDGER_URL}\n---\n# B\n\n```sql\nSELECT 1;\n```\n');
    expect(await resolveTarget({ env: envWith({ LEDGER_URL: OTHER }), runbook: braced, needsDatabase: true })).toMatchObject({
      url: OTHER,
      envVar: 'LEDGER_URL',
    });
    const literal = runbookFrom('literal.md', `---\ndatabase: ${PROD}\n---\n# L\n\n\`\`\`sql\nSELECT 1;\n\`\`\`\n`);
    const target = await resolveTarget({ env: envWith(), runbook: literal, needsDatabase: true });
    expect(target).toMatchObject({ kind: 'postgres', url: PROD, source: 'frontmatter' });
    expect(target.envVar).toBeUndefined();
  });
});

describe('resolveTarget: a configured target that is broken is an error, not the sandbox', () => {
  it.each([
    ['--db', { db: 'not a url' }, /^--db: 'not a url' is not a PostgreSQL URL; expected postgres:\/\//],
    ['--db with another scheme', { db: 'mysql://root:pw@db/x' }, /^--db: 'mysql:\/\/root:\*{8}@db\/x' is a mysql URL, not PostgreSQL/],
    ['--db empty', { db: '' }, /^--db: '' is not a PostgreSQL URL/],
    ['RUNBOOK_DATABASE_URL', { env: { RUNBOOK_DATABASE_URL: 'db.example.com' } }, /^RUNBOOK_DATABASE_URL: 'db\.example\.com' is not a PostgreSQL URL/],
    ['$SUPABASE_DB_URL', { env: { SUPABASE_DB_URL: 'postgres://' } }, /^\$SUPABASE_DB_URL \(named by runbooks\/dragonfly\.md\): 'postgres:\/\/' names no host/],
  ] as [string, { db?: string; env?: Record<string, string> }, RegExp][])('%s', async (_label, given, message) => {
    const attempt = resolveTarget({ env: envWith(given.env), runbook: dragonfly, needsDatabase: true, ...('db' in given ? { db: given.db } : {}) });
    await expect(attempt).rejects.toBeInstanceOf(InputError);
    await expect(attempt).rejects.toThrow(message);
    notStarted();
  });

  it('rejects a frontmatter database: that is neither a variable nor a URL', async () => {
    const odd = runbookFrom('odd.md', '---\ndatabase: production\n---\n# O\n\n```sql\nSELECT 1;\n```\n');
    await expect(resolveTarget({ env: envWith(), runbook: odd, needsDatabase: true })).rejects.toThrow(
      /odd\.md: frontmatter database: 'production' is neither \$VARIABLE nor a postgres:\/\/ URL/,
    );
    notStarted();
  });

  it('never prints the password of a broken URL', async () => {
    await expect(resolveTarget({ db: 'postgres://u:topsecret@/x', env: envWith(), runbook: dragonfly, needsDatabase: true })).rejects.toThrow(
      /postgres:\/\/u:\*{8}@\/x/,
    );
  });
});

describe('resolveTarget: nothing configured', () => {
  it('starts nothing for a runbook that needs no database', async () => {
    const shellOnly = runbookFrom('shell.md', '# Shell\n\n```sh\necho hello $HOME\n```\n');
    expect(await resolveTarget({ env: envWith(), runbook: shellOnly, needsDatabase: false })).toEqual({
      kind: 'none',
      url: '',
      maskedUrl: '',
      name: 'none',
      source: 'none',
    });
    notStarted();
  });

  it('finds the seed beside the runbook', () => {
    expect(seedFileFor(DRAGONFLY)).toBe('runbooks/dragonfly.sandbox.sql');
    expect(seedFileFor(join(dir, 'shell.md'))).toBeUndefined();
  });

  it('falls back to the seeded sandbox, exported under the frontmatter variable, even for shell cells alone', async () => {
    // No SQL cell will run, but the shell cells use $SUPABASE_DB_URL.
    const target = await resolveTarget({ env: envWith(), runbook: dragonfly, needsDatabase: false });
    expect(target).toMatchObject({
      kind: 'sandbox',
      name: 'dragonfly@sandbox',
      envVar: 'SUPABASE_DB_URL',
      source: 'sandbox',
      started: true,
      seedFile: 'runbooks/dragonfly.sandbox.sql',
    });
    expect(target.maskedUrl).toMatch(/^postgres:\/\/postgres:\*{8}@127\.0\.0\.1:\d+\/dragonfly$/);
    expect(await rows(target.url, "SELECT rowsecurity FROM pg_tables WHERE tablename = 'judgments'")).toEqual([{ rowsecurity: false }]);
    const again = await resolveTarget({ env: envWith(), runbook: dragonfly, needsDatabase: true });
    expect(again).toMatchObject({ kind: 'sandbox', url: target.url, started: false });
  });

  it('uses the sandbox when asked with --db sandbox, over the environment', async () => {
    const target = await resolveTarget({ db: 'sandbox', env: envWith({ RUNBOOK_DATABASE_URL: PROD }), runbook: dragonfly, needsDatabase: true });
    expect(target).toMatchObject({ kind: 'sandbox', source: 'flag', name: 'dragonfly@sandbox' });
  });

  it('gives an unseeded runbook with SQL cells an empty sandbox database', async () => {
    const plain = runbookFrom('plain.md', '# Plain\n\n```sql\nSELECT 1;\n```\n');
    const target = await resolveTarget({ env: envWith(), runbook: plain, needsDatabase: true });
    expect(target).toMatchObject({ kind: 'sandbox', name: 'sandbox@sandbox' });
    expect(await rows(target.url, 'SELECT current_database() AS db')).toEqual([{ db: 'sandbox' }]);
  });
});
