/**
 * The bash session's spare (session-protocol.ts spareScript): the next cell's bash is started
 * while the engine finishes the cell before it. It must run nothing of its cell before that
 * cell's gate opens, must not outlive the CLI or the executor, and a cell whose environment
 * bash reads at start-up differently (BASH_ENV) must not run in it. Real bash, real processes.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Executor } from '../src/engine/lang/executor.js';
import { contextFor, shellExecutors } from './support/executor-context.js';
import { gone, killedWhileSpareWaits, spareOf } from './support/spare-processes.js';
import { tempDir } from './runner-support.js';

const shellExecutor = shellExecutors();
const bash = (): Executor => shellExecutor({ lang: 'sh', interpreter: 'bash', killGraceMs: 300 });

const env = () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' });

describe.skipIf(process.platform !== 'linux')('bash session: the next cell starts in a spare', () => {
  it('a spare waits for its cell: the cell runs in it, as its own group, and nothing before its gate opens', async () => {
    const dir = tempDir('runbook-spare-');
    const shell = bash();
    const first = contextFor('sh', 'echo $PPID', { cwd: dir, env: env() });
    expect((await shell.run(first.context)).status).toBe('succeeded');
    const spare = await spareOf(Number(first.output('stdout')));
    expect(spare, 'a spare was started after the cell').toBeGreaterThan(1);

    // Held shut, then cancelled: the spare never runs the cell.
    const marker = join(dir, 'ran');
    const held = contextFor('sh', `touch '${marker}'`, { cwd: dir, env: env() });
    const seen: unknown[] = [];
    held.context.onGroup = (pgid) => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      seen.push(pgid === spare, existsSync(marker));
      held.controller.abort();
    };
    expect((await shell.run(held.context)).status).toBe('cancelled');
    expect(seen).toEqual([true, false]);
    await delay(300);
    expect(existsSync(marker)).toBe(false);
    expect(await gone(spare!)).toBe(true);

    // Not held: the cell runs in the next spare, `$$` its group, in the cwd and environment asked for.
    const next = contextFor('sh', `touch '${marker}'\necho "$$ $(ps -o pgid= -p $$) $PWD $SHLVL $FROM_ENV"`, { cwd: dir, env: { ...env(), FROM_ENV: 'given', SHLVL: '4' } });
    let group: number | undefined;
    next.context.onGroup = (pgid) => void (group = pgid);
    expect((await shell.run(next.context)).status).toBe('succeeded');
    const [pid, pgid, cwd, level, given] = next.output('stdout').trim().split(/\s+/);
    expect(Number(pid)).toBe(group);
    expect(Number(pgid)).toBe(group);
    expect([cwd, level, given]).toEqual([dir, '5', 'given']);
    expect(existsSync(marker)).toBe(true);
  });

  it('a cell that set BASH_ENV does not run in the spare started before it: it sources BASH_ENV, and later cells still run', async () => {
    const dir = tempDir('runbook-spare-');
    const rc = join(dir, 'rc.sh');
    writeFileSync(rc, 'echo "rc sourced"\n');
    const shell = bash();
    const set = contextFor('sh', `export BASH_ENV='${rc}'`, { cwd: dir, env: env() });
    expect((await shell.run(set.context)).status).toBe('succeeded');
    const sourced = contextFor('sh', 'echo cell', { cwd: dir, env: env() });
    expect((await shell.run(sourced.context)).status).toBe('succeeded');
    expect(sourced.output('stdout')).toBe('rc sourced\ncell\n');
    const unset = contextFor('sh', 'unset BASH_ENV', { cwd: dir, env: env() });
    expect((await shell.run(unset.context)).status).toBe('succeeded');
    for (const word of ['one', 'two']) {
      const plain = contextFor('sh', `echo ${word}`, { cwd: dir, env: env() });
      expect((await shell.run(plain.context)).status).toBe('succeeded');
      expect(plain.output('stdout')).toBe(`${word}\n`);
    }
  });

  it('closing the executor ends a waiting spare', async () => {
    const shell = bash();
    const first = contextFor('sh', 'echo $PPID', { env: env() });
    expect((await shell.run(first.context)).status).toBe('succeeded');
    const spare = await spareOf(Number(first.output('stdout')));
    expect(spare).toBeGreaterThan(1);
    await shell.close();
    expect(await gone(spare!)).toBe(true);
  });

  it('a kill -9 of the CLI while a spare waits: the spare and the session exit', async () => {
    // A CLI stand-in: one cell through the session, then it prints the session's pid and waits to be killed.
    const killed = await killedWhileSpareWaits(tempDir('runbook-spare-'), ['echo $PPID']);
    expect(killed.status).toBe('succeeded');
    expect(killed.spare).toBeGreaterThan(1);
    expect(killed.spareGone).toBe(true);
    expect(killed.sessionGone).toBe(true);
  });
});
