/**
 * The bash session's spare (session-protocol.ts spareScript): the next cell's bash is started
 * while the engine finishes the cell before it. It must run nothing of its cell before that
 * cell's gate opens, must not outlive the CLI or the executor, and a cell whose environment
 * bash reads at start-up differently (BASH_ENV) must not run in it. Real bash, real processes.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Executor } from '../src/engine/lang/executor.js';
import { contextFor, shellExecutors } from './support/executor-context.js';
import { tempDir } from './runner-support.js';

const shellExecutor = shellExecutors();
const bash = (): Executor => shellExecutor({ lang: 'sh', interpreter: 'bash', killGraceMs: 300 });

const env = () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** The session's spare: its child running bash on spare.sh, once it is there. */
async function spareOf(session: number): Promise<number | undefined> {
  for (let i = 0; i < 100; i++) {
    let children: number[] = [];
    try {
      children = readFileSync(`/proc/${session}/task/${session}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return undefined;
    }
    const spare = children.find((pid) => commandLine(pid).includes('spare.sh'));
    if (spare !== undefined) return spare;
    await delay(20);
  }
  return undefined;
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 150 && alive(pid); i++) await delay(20);
  return !alive(pid);
}

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
    const dir = tempDir('runbook-spare-');
    const executor = join(import.meta.dirname, '..', 'dist', 'engine', 'lang', 'sh', 'executor.js');
    // A CLI stand-in: one cell through the session, then it prints the session's pid and waits to be killed.
    const script = `
      const { createShellExecutor } = await import(${JSON.stringify(executor)});
      const shell = createShellExecutor({ lang: 'sh', interpreter: 'bash' });
      let out = '';
      const cell = { id: 'c', lang: 'sh', tag: 'sh', line: 1, sourceLine: 2, column: 1, section: [], prose: '', source: 'echo $PPID', attributes: {}, unknownAttributes: [], placeholders: [], envRefs: [] };
      const result = await shell.run({ cell, source: 'echo $PPID', env: { PATH: process.env.PATH }, signal: new AbortController().signal, readOnly: false, cwd: ${JSON.stringify(dir)}, maxRows: 10,
        emit: (e) => { if (e.type === 'cell.output') out += e.data; } });
      process.stdout.write(result.status + ' ' + out);
      setInterval(() => undefined, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let printed = '';
    child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    for (let i = 0; i < 500 && !printed.includes('\n'); i++) await delay(20);
    const [status, session] = printed.trim().split(' ');
    expect(status).toBe('succeeded');
    const spare = await spareOf(Number(session));
    expect(spare).toBeGreaterThan(1);
    child.kill('SIGKILL');
    expect(await gone(spare!)).toBe(true);
    expect(await gone(Number(session))).toBe(true);
  });
});
