/**
 * The run's pwsh session starts when the session opens, before the console or the runner
 * exist (its start is the longest wait before the first question), and the runner adopts
 * it: one pwsh for the run. A command that opens and stops before running closes it.
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

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!realPwsh)('the pwsh session starts as the session opens', () => {
  it('is running before any runner exists, and the run uses that one session', async () => {
    const { env, starts, dir } = loggingPwsh();
    const runbook = await parseRunbookText(RUNBOOK, join(dir, 'early.md'));
    const prepared = await prepareSession({ runbook, selection: {}, mode: 'unattended', values: {}, actor: 'test', argv: [], env, transcriptPath: join(dir, 't.jsonl') });
    expect(starts()).toEqual([]); // preparing starts nothing
    const session = await prepared.open();
    await until(() => starts().length === 1);
    const summary = await session.createRunner(createUnattendedOperator({ actor: 'test', allowWrites: false })).run();
    await session.close();
    expect(summary.status).toBe('succeeded');
    expect(starts()).toHaveLength(1);
    expect(readFileSync(join(dir, 't.jsonl'), 'utf8')).toContain('one 2');
  }, 60_000);

  it('is closed by the session when no runner ran', async () => {
    const { env, starts, dir } = loggingPwsh();
    const runbook = await parseRunbookText(RUNBOOK, join(dir, 'early.md'));
    const session = await (await prepareSession({ runbook, selection: {}, mode: 'unattended', values: {}, actor: 'test', argv: [], env, transcriptPath: join(dir, 't.jsonl') })).open();
    await until(() => starts().length === 1);
    const [pid] = starts();
    await session.close();
    await until(() => !alive(pid!));
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
