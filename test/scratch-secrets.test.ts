/**
 * No secret on disk: while a shell cell runs, no scratch file holds its secret values or the
 * database password (the job travels over the session's pipe), and the scratch a killed
 * run (kill -9) left behind is removed by the next run.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseUrl } from './support/database.js';
import { runCli, startCli, tempDir } from './runner-support.js';

const root = process.platform === 'linux' && !process.env.TMPDIR ? '/dev/shm' : (process.env.TMPDIR ?? '/tmp');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('scratch files', () => {
  it('hold no secret while a cell runs, and a killed run leaves nothing for long', async () => {
    const dir = tempDir();
    const runbook = join(dir, 'sleepy.md');
    writeFileSync(runbook, '# Sleepy\n\n## Wait\n\n```sh {name=wait readonly}\necho "started <API_TOKEN>"\nsleep 60\n```\n\n```sql {name=q}\nSELECT 1;\n```\n');
    const token = `tok-${randomBytes(8).toString('hex')}`;
    const password = decodeURIComponent(new URL(databaseUrl()).password);
    const cli = startCli(['run', runbook, '--yes', '--only', 'wait', '--db', databaseUrl(), '--var', `API_TOKEN=${token}`, '--transcript', join(dir, 't.jsonl')]);
    await cli.waitFor(/started \*{8}/, 60_000);
    const pid = cli.child.pid!;
    const scratch = readdirSync(root).filter((name) => name.startsWith(`runbook-shell-${pid}-`)).map((name) => join(root, name));
    expect(scratch.length).toBe(1);
    const texts = filesUnder(scratch[0]!).map((file) => readFileSync(file, 'utf8'));
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) {
      expect(text.includes(token)).toBe(false);
      expect(text.includes(password)).toBe(false);
    }
    cli.child.kill('SIGKILL');
    await cli.exited;
    expect(existsSync(scratch[0]!)).toBe(true);
    // The next run that starts a shell sweeps the orphan when it makes its own scratch.
    const sweep = join(dir, 'sweep.md');
    writeFileSync(sweep, '# Sweep\n\n## Echo\n\n```sh {name=echo readonly}\necho ok\n```\n');
    const swept = await runCli(['run', sweep, '--yes', '--transcript', join(dir, 't3.jsonl')]);
    expect(swept.code, swept.stderr).toBe(0);
    expect(existsSync(scratch[0]!)).toBe(false);
  });
});
