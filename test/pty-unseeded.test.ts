/**
 * A sandbox run of a runbook with no `<name>.sandbox.sql` beside it: the database is
 * empty, so a SQL cell fails on "relation does not exist". The console says so before
 * the first cell, in its header, and preflight records which file would seed it. A
 * sandbox of its own (a private directory), so the real sandbox path runs.
 */
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/engine/events.js';
import { readTranscript } from '../src/engine/transcript.js';
import { KEYS, quitConsole, spawnCli } from './support/pty.js';
import { freshSandboxEnv, removeSandbox } from './sandbox.helpers.js';

const env = freshSandboxEnv();
afterAll(() => removeSandbox(env));

const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('a sandbox with no seed file, at 80×24', () => {
  it('says in the header and in preflight that the sandbox is empty and which file would seed it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-unseeded-'));
    const runbook = join(dir, 'jobs.md');
    copyFileSync('test/fixtures/tui/unseeded.md', runbook);
    const seed = join(dir, 'jobs.sandbox.sql');
    expect(existsSync(seed)).toBe(false);
    const transcript = join(dir, 'run.jsonl');
    const tui = spawnCli(['run', runbook, '--transcript', transcript, '--actor', 'alice'], { cols: 80, rows: 24, env: { RUNBOOK_SANDBOX_DIR: env.RUNBOOK_SANDBOX_DIR } });
    try {
      await tui.waitFor('enter run · s skip', { timeoutMs: 120_000 });
      const screen = tui.screen.text();
      expect(screen).toContain('SANDBOX');
      expect(flat(screen)).toContain(`⚠ the sandbox database is empty: no seed file ${seed} beside the runbook`);
      tui.write(KEYS.enter);
      await tui.waitFor('SQLSTATE 42P01');
      await quitConsole(tui);
    } finally {
      tui.kill();
    }
    const events = (await readTranscript(transcript)).events as RunEvent[];
    const preflight = events.find((e) => e.type === 'run.preflight');
    expect(preflight).toMatchObject({ problems: [expect.objectContaining({ kind: 'sandbox-unseeded', fatal: false, message: expect.stringContaining(seed) })] });
  });
});
