/**
 * The console's one question about a sandbox seed that reaches outside the database, asked
 * on the terminal before anything starts: the file, its size and sha256, each such
 * statement with its line. n (or enter) starts nothing and runs nothing (exit 2); y runs
 * the seed and opens the console; the same content is not asked about again.
 */
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quitConsole, spawnCli } from './support/pty.js';
import { freshSandboxEnv, removeSandbox } from './sandbox.helpers.js';
import { tempDir } from './runner-support.js';

const env = freshSandboxEnv();
afterAll(() => removeSandbox(env));

const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('the console and a seed that runs a program', () => {
  it('asks once, before anything starts: n runs nothing, y runs it and opens the console, then no question', async () => {
    const dir = tempDir('runbook-pty-seed-');
    const markers = mkdtempSync(join(tmpdir(), 'runbook-seed-marker-'));
    chmodSync(markers, 0o777);
    const marker = join(markers, 'ran-a-program');
    const runbook = join(dir, 'p.md');
    writeFileSync(runbook, '# P\n\n## Count\n\n```sql {name=count readonly}\nSELECT count(*) FROM t;\n```\n');
    const seed = `CREATE TABLE t (id int);\nCOPY t TO PROGRAM 'touch ${marker}';\n`;
    writeFileSync(join(dir, 'p.sandbox.sql'), seed);
    const sha256 = createHash('sha256').update(seed).digest('hex');
    const sandboxEnv = { RUNBOOK_SANDBOX_DIR: env.RUNBOOK_SANDBOX_DIR };
    const start = (name: string) => spawnCli(['run', runbook, '--transcript', join(dir, `${name}.jsonl`), '--actor', 'alice'], { cols: 120, rows: 30, env: sandboxEnv });

    const declined = start('declined');
    try {
      await declined.waitFor('[y/N]', { timeoutMs: 60_000 });
      const screen = flat(declined.screen.text());
      expect(screen).toContain(`file ${join(dir, 'p.sandbox.sql')}`);
      expect(screen).toContain(`size ${Buffer.byteLength(seed)} bytes, 2 statements`);
      expect(screen).toContain(`sha256 ${sha256}`);
      expect(screen).toContain(`line 2: COPY t TO PROGRAM 'touch ${marker}'`);
      expect(screen).toContain('runs a program on this machine');
      declined.write('n\r');
      expect(await declined.exited).toBe(2);
      expect(flat(declined.screen.text())).toContain('was not confirmed; nothing was started or run');
    } finally {
      declined.kill();
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(dir, 'declined.jsonl'))).toBe(false);

    const confirmed = start('confirmed');
    try {
      await confirmed.waitFor('[y/N]', { timeoutMs: 60_000 });
      confirmed.write('y\r');
      await confirmed.waitFor('enter run · s skip', { timeoutMs: 120_000 });
      expect(existsSync(marker)).toBe(true);
      expect(await quitConsole(confirmed)).not.toBe(70);
    } finally {
      confirmed.kill();
    }

    const remembered = start('remembered');
    try {
      await remembered.waitFor('enter run · s skip', { timeoutMs: 120_000 });
      expect(remembered.raw()).not.toContain('[y/N]');
      await quitConsole(remembered);
    } finally {
      remembered.kill();
    }
  }, 300_000);
});
