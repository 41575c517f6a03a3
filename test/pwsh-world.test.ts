/**
 * PowerShell by its own rules in the client's rebuilt world (../shared/world: real pwsh, psql,
 * the Railway stand-in): with Railway down, the containment cell's own fallback ("kill workers
 * via DB") runs and ends the workers' sessions; db_push.ps1's "Type 'YES'" is asked in the
 * console and answered there (a real pseudo-terminal).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellFinished, CellOutput, RunEvent } from '../src/engine/events.js';
import { readTranscript } from '../src/engine/transcript.js';
import { onPath } from '../src/engine/process/which.js';
import { freshDatabase } from './support/database.js';
import { CLI, ROOT, tempDir } from './runner-support.js';
import { KEYS, spawnCli } from './support/pty.js';
import { pythonOnPath } from './support/world.js';

const MAKE_WORLD = [join(ROOT, '..', 'shared'), join(ROOT, '..', '..', 'shared')].map((dir) => join(dir, 'world', 'make-world.sh')).find((file) => existsSync(file));
const PATH = `${process.env.PATH ?? ''}:${process.env.HOME ?? ''}/.dotnet/tools`;
const ready = MAKE_WORLD !== undefined && onPath('pwsh', PATH) && onPath('psql', PATH);

function world(prodDb: string, ...options: string[]): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = tempDir('runbook-pwsh-world-');
  execFileSync(MAKE_WORLD as string, [dir, '--runbook', join(ROOT, 'runbooks', 'dragonfly.md'), '--prod-db', prodDb, ...options], { stdio: 'ignore' });
  return { dir, env: { ...process.env, PATH: `${join(dir, 'bin')}:${pythonOnPath(dir, PATH)}${PATH}`, CURL_HOME: join(dir, '.world') } };
}

const outputOf = (events: RunEvent[], cell: string) =>
  events.filter((e): e is CellOutput => e.type === 'cell.output' && e.cell === cell).map((e) => e.data).join('');

describe.runIf(ready)('PowerShell cells in the client’s world', () => {
  it('Railway down: containment goes on to its DB fallback, which ends the workers’ sessions; the railway failures are counted', async () => {
    const db = await freshDatabase('pwshworld');
    const { dir, env } = world(db);
    // A worker mid-query, as the runbook's fallback looks for it.
    const worker = spawn('psql', [db, '-c', 'SELECT pg_sleep(120)'], { env: { ...process.env, PGAPPNAME: 'dragonfly-worker' }, stdio: 'ignore' });
    const workerExit = new Promise<number | null>((done) => worker.on('exit', (code) => done(code)));
    try {
      for (let i = 0; i < 100; i++) {
        const active = execFileSync('psql', [db, '-Atc', "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dragonfly-worker' AND state = 'active'"], { encoding: 'utf8' }).trim();
        if (active === '1') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const transcript = join(dir, 'run.jsonl');
      let code = 0;
      try {
        execFileSync('node', [CLI, 'run', 'dragonfly.md', '--yes', '--allow-writes', '--db', db, '--only', '1-immediate-containment-2-min', '--transcript', transcript], {
          cwd: dir, env: { ...env, RAILWAY_STANDIN_MODE: 'down' }, stdio: 'ignore',
        });
      } catch (error) {
        code = (error as { status: number }).status;
      }
      const { events } = (await readTranscript(transcript)) as { events: RunEvent[] };
      const finished = events.find((e): e is CellFinished => e.type === 'cell.finished' && e.cell === '1-immediate-containment-2-min');
      const output = outputOf(events, '1-immediate-containment-2-min');
      // Both railway calls failed and were counted; the fallback, the cell's last command, succeeded.
      expect(readFileSync(join(dir, '.world', 'railway.calls'), 'utf8')).toMatch(/service update/);
      expect(output).toContain("runbook: dragonfly.md:30: exited with 1\n");
      expect(output).toContain("runbook: dragonfly.md:33: exited with 1\n");
      expect(output).toContain('pg_terminate_backend');
      expect(finished).toMatchObject({ status: 'succeeded', errors: 2 });
      expect(code).toBe(0);
      expect(await workerExit).not.toBe(0);
      expect(output).not.toMatch(/\/dev\/shm|RUNBOOK_VAR_|__runbook/);
    } finally {
      worker.kill();
    }
  }, 180_000);

  it("db_push.ps1 -SupabaseEnv prod: its \"Type 'YES'\" is asked in the console and answered there; the answer is recorded", async () => {
    const db = await freshDatabase('pwshpush');
    const { dir, env } = world(db, '--confirm-prod-push');
    writeFileSync(join(dir, 'push.md'), ['# Push', '', '## Apply Missing Grants', '', '```powershell', './scripts/db_push.ps1 -SupabaseEnv prod', '```', ''].join('\n'));
    const transcript = join(dir, 'push.jsonl');
    const tui = spawnCli(['run', 'push.md', '--transcript', transcript, '--actor', 'alice'], { cwd: dir, env, cols: 110, rows: 32 });
    try {
      await tui.waitFor('enter run', { timeoutMs: 60_000 });
      tui.write(KEYS.enter);
      await tui.waitFor("Type 'YES' to proceed (or anything else to abort):", { timeoutMs: 60_000 });
      tui.write('YES');
      tui.write(KEYS.enter);
      await tui.waitFor('Production deployment confirmed', { timeoutMs: 60_000, history: true });
      await tui.waitFor(/enter ends the run|Quit the run|r retry|enter next/, { timeoutMs: 60_000 });
    } finally {
      tui.kill();
    }
    const { events } = (await readTranscript(transcript)) as { events: RunEvent[] };
    const output = outputOf(events, 'apply-missing-grants');
    expect(output).toContain("Type 'YES' to proceed (or anything else to abort): YES\n");
    expect(output).toContain('[OK] Production deployment confirmed.');
    expect(output).not.toContain('[ABORTED]');
  }, 180_000);
});
