/**
 * The run's pwsh session starts when the runner is made, before run() probes the database
 * and asks for the first parse (its start is the longest wait before the first question),
 * and the runner uses that one: one pwsh for the run. Preparing and opening start none.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createUnattendedOperator } from '../src/engine/operators/unattended.js';
import { parseRunbookText } from '../src/engine/parse.js';
import { findProgram } from '../src/engine/process/which.js';
import { prepareSession } from '../src/engine/session.js';

const realPwsh = findProgram('pwsh');
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A `pwsh` on PATH that records each start (its pid) and becomes the real one. */
function loggingPwsh(): { env: NodeJS.ProcessEnv; starts: () => number[]; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-early-'));
  dirs.push(dir);
  const log = join(dir, 'starts');
  writeFileSync(join(dir, 'pwsh'), `#!/bin/sh\necho $$ >> '${log}'\nexec '${realPwsh}' "$@"\n`);
  chmodSync(join(dir, 'pwsh'), 0o755);
  const starts = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map(Number) : []);
  return { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, starts, dir };
}

const RUNBOOK = '# Early\n\n```powershell\nWrite-Output "one $(1 + 1)"\n```\n\n```powershell\nWrite-Output two\n```\n';

async function until(check: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('not within the time allowed');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!realPwsh)('the pwsh session starts as the runner is made', () => {
  it('is running before run() is called, and the run uses that one session; preparing and opening start none', async () => {
    const { env, starts, dir } = loggingPwsh();
    const runbook = await parseRunbookText(RUNBOOK, join(dir, 'early.md'));
    const prepared = await prepareSession({ runbook, selection: {}, mode: 'unattended', values: {}, actor: 'test', argv: [], env, transcriptPath: join(dir, 't.jsonl') });
    const session = await prepared.open();
    await new Promise((r) => setTimeout(r, 300));
    expect(starts()).toEqual([]);
    const runner = session.createRunner(createUnattendedOperator({ actor: 'test', allowWrites: false }));
    await until(() => starts().length === 1);
    const summary = await runner.run();
    await session.close();
    expect(summary.status).toBe('succeeded');
    expect(starts()).toHaveLength(1);
    expect(readFileSync(join(dir, 't.jsonl'), 'utf8')).toContain('one 2');
  }, 60_000);
});

describe.skipIf(!realPwsh)('a pwsh that exits before its host joins', () => {
  it('leaves the socket path free: the next parse starts a new session that answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-early-'));
    dirs.push(dir);
    // The first start exits at once (a crash before the host runs); later ones are the real pwsh.
    const count = join(dir, 'count');
    writeFileSync(join(dir, 'pwsh'), `#!/bin/sh\nif [ ! -e '${count}' ]; then : > '${count}'; exit 0; fi\nexec '${realPwsh}' "$@"\n`);
    chmodSync(join(dir, 'pwsh'), 0o755);
    const { createPwshExecutor } = await import('../src/engine/lang/powershell/executor.js');
    const shell = createPwshExecutor({ interpreter: join(dir, 'pwsh') });
    try {
      shell.startSession?.();
      await until(() => existsSync(count));
      await new Promise((r) => setTimeout(r, 200)); // the exit is seen
      const report = await shell.parse('Write-Output hi').catch(async () => shell.parse('Write-Output hi'));
      expect(report.commands.map((c) => c.name)).toEqual(['Write-Output']);
    } finally {
      await shell.close();
    }
  }, 60_000);
});
