/**
 * The gate a cell starts behind (gate.ts, session-protocol.ts): nothing of the cell runs
 * until its process group is registered with the reaper and on record. Closed without
 * its byte (the CLI died, or the cell was cancelled as it was announced), the command
 * never runs. And the identity `cell.started` records with the group (group-identity.ts):
 * a reused pid is not taken for the group.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { GATE_SCRIPT, GATE_SHUT_STATUS } from '../src/engine/process/gate.js';
import { identifyGroup, liveMembers } from '../src/engine/process/group-identity.js';
import { groupMembers } from '../src/engine/process/group-members.js';
import { runProcessTree } from '../src/engine/process/process-tree.js';
import { gateInWrapper } from '../src/engine/process/session-protocol.js';
import { contextFor, shellExecutors } from './support/executor-context.js';
import { tempDir } from './runner-support.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const executor = shellExecutors();

/** The prelude as process-tree.ts spawns it, around `touch <marker>`. */
function gated(marker: string) {
  const child = spawn('/bin/sh', ['-c', GATE_SCRIPT, '/bin/sh', '-c', `touch '${marker}'; if [ -e /proc/$$/fd/3 ]; then echo fd3:open; else echo fd3:closed; fi`], {
    stdio: ['ignore', 'pipe', 'ignore', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => void (out += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { gate: child.stdio[3] as Writable, exited, out: () => out };
}

describe('the gate', () => {
  it('shut without its byte (EOF: the CLI is gone): the command never runs', async () => {
    const marker = join(tempDir('runbook-gate-'), 'ran');
    const cell = gated(marker);
    await delay(200);
    expect(existsSync(marker), 'ran before the gate opened').toBe(false);
    cell.gate.destroy();
    expect(await cell.exited).toBe(GATE_SHUT_STATUS);
    expect(existsSync(marker)).toBe(false);
  });

  it('opened with its byte: the command runs, without the gate fd', async () => {
    const marker = join(tempDir('runbook-gate-'), 'ran');
    const cell = gated(marker);
    cell.gate.end('\n');
    expect(await cell.exited).toBe(0);
    expect(existsSync(marker)).toBe(true);
    expect(cell.out()).toBe('fd3:closed\n');
  });

  it('a process per cell: cancelled while its group is announced, the cell never runs a line', async () => {
    const marker = join(tempDir('runbook-gate-'), 'ran');
    const controller = new AbortController();
    let announced: number | undefined;
    const outcome = await runProcessTree('sh', ['-c', `touch '${marker}'`], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      signal: controller.signal,
      graceMs: 200,
      onStdout: () => undefined,
      onStderr: () => undefined,
      onGroup: (pgid) => {
        announced = pgid;
        controller.abort();
      },
    });
    expect(announced).toBeGreaterThan(1);
    expect(outcome.endedBy).toBe('cancel');
    await delay(300);
    expect(existsSync(marker)).toBe(false);
  });

  it.each([
    ['the bash session', {}],
    ['a process per cell (sh)', { interpreter: 'sh' }],
  ])('%s: the group is reported before the cell runs, and cancelling then keeps it from running', async (_name, options) => {
    const dir = tempDir('runbook-gate-');
    const marker = join(dir, 'ran');
    const shell = executor({ lang: 'sh', ...options });
    const seen: boolean[] = [];
    const run = contextFor('sh', `touch '${marker}'`, { cwd: dir });
    run.context.onGroup = (pgid) => {
      // The leader is alive (held by its gate) and has not run the cell.
      seen.push(existsSync(marker), liveMembers(identifyGroup(pgid)).length > 0);
      run.controller.abort();
    };
    const result = await shell.run(run.context);
    expect(result.status).toBe('cancelled');
    expect(seen).toEqual([false, true]);
    await delay(300);
    expect(existsSync(marker)).toBe(false);

    // The same executor, not cancelled: the cell runs once its group is on record.
    const again = contextFor('sh', `touch '${marker}'`, { cwd: dir });
    let group: number | undefined;
    again.context.onGroup = (pgid) => void (group = pgid);
    expect((await shell.run(again.context)).status).toBe('succeeded');
    expect(group).toBeGreaterThan(1);
    expect(existsSync(marker)).toBe(true);
  });
});

describe('the bash session: its fresh bash waits at the gate as its wrapper starts', () => {
  it('runs nothing of BASH_ENV before the gate opens: with it set, the gate comes before the exec', async () => {
    const dir = tempDir('runbook-gate-');
    const marker = join(dir, 'sourced');
    const rc = join(dir, 'env.sh');
    writeFileSync(rc, `touch '${marker}'\n`);
    const shell = executor({ lang: 'sh' });
    const seen: boolean[] = [];
    const run = contextFor('sh', 'true', { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', BASH_ENV: rc } });
    run.context.onGroup = () => {
      // Holds the gate shut long enough for the cell's bash to start and source BASH_ENV, were it allowed to.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
      seen.push(existsSync(marker));
      run.controller.abort();
    };
    expect((await shell.run(run.context)).status).toBe('cancelled');
    await delay(300);
    expect(seen).toEqual([false]);
    expect(existsSync(marker), 'BASH_ENV was sourced before the gate').toBe(false);

    // Opened, the cell's bash sources it as before.
    const again = contextFor('sh', 'true', { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', BASH_ENV: rc } });
    expect((await shell.run(again.context)).status).toBe('succeeded');
    expect(existsSync(marker)).toBe(true);
  });

  it('keeps the gate before the exec when the environment holds what bash or the loader runs as bash starts', () => {
    const plain = { PATH: '/usr/bin:/bin', HOME: '/root', LANG: 'C.UTF-8' };
    expect(gateInWrapper(plain)).toBe(true);
    // Exported functions (one named read or exec would replace the gate line), BASH_ENV,
    // SHELLOPTS (xtrace's PS4 can run a command; bash ignores an inherited PS4 only as root),
    // the dynamic loader's variables and glibc's GCONV_PATH: each keeps the gate in the session's job.
    const risky: Record<string, string>[] = [{ 'BASH_FUNC_read%%': '() {  return 0\n}' }, { 'BASH_FUNC_which%%': '() {  :\n}' }, { BASH_ENV: '/tmp/rc' }, { SHELLOPTS: 'xtrace' }, { LD_PRELOAD: '/tmp/x.so' }, { LD_LIBRARY_PATH: '/tmp' }, { LD_AUDIT: '/tmp/a.so' }, { GCONV_PATH: '/tmp' }];
    for (const extra of risky) {
      expect(gateInWrapper({ ...plain, ...extra }), Object.keys(extra)[0]).toBe(false);
    }
  });

  it('a cell waiting at the gate in its wrapper is the cell: $$ is the group, and a shut gate runs no line', async () => {
    const dir = tempDir('runbook-gate-');
    const shell = executor({ lang: 'sh' });
    const marker = join(dir, 'ran');
    const held = contextFor('sh', `touch '${marker}'`, { cwd: dir });
    held.context.onGroup = () => {
      // Long enough for the cell's bash to be started and waiting in its wrapper.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400);
      held.controller.abort();
    };
    expect((await shell.run(held.context)).status).toBe('cancelled');
    await delay(300);
    expect(existsSync(marker)).toBe(false);

    const first = contextFor('sh', 'echo "$$ $(ps -o pgid= -p $$)"', { cwd: dir });
    let group: number | undefined;
    first.context.onGroup = (pgid) => void (group = pgid);
    expect((await shell.run(first.context)).status).toBe('succeeded');
    const [pid, pgid] = first.output().trim().split(/\s+/).map(Number);
    expect(pid).toBe(group);
    expect(pgid).toBe(group);
  });
});

describe.skipIf(process.platform !== 'linux')('the group identity cell.started records (Linux /proc)', () => {
  it('names a live group and its commands, and does not take a reused pid (another start time, another boot) for it', async () => {
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    try {
      const pid = child.pid as number;
      const identity = identifyGroup(pid);
      expect(identity.leaderStart).toMatch(/^[0-9a-f-]{36}:\d+$/);
      expect(liveMembers(identity)).toEqual([{ pid, command: 'sleep 30' }]);
      const [boot, ticks] = (identity.leaderStart as string).split(':');
      expect(liveMembers({ pgid: pid, leaderStart: `${boot}:${Number(ticks) + 1}` })).toEqual([]);
      expect(liveMembers({ pgid: pid, leaderStart: `00000000-0000-0000-0000-000000000000:${ticks}` })).toEqual([]);
      // Without a recorded start (another platform wrote it), the pgid alone decides.
      expect(liveMembers({ pgid: pid })).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.on('exit', resolve));
    expect(liveMembers({ pgid: child.pid as number })).toEqual([]);
  });

  it('does not count a zombie (a member nobody reaped runs nothing)', async () => {
    // The child exits at once; `sleep 30`, exec'd in its parent's place, never reaps it.
    const child = spawn('sh', ['-c', 'sleep 0 & exec sleep 30'], { detached: true, stdio: 'ignore' });
    try {
      const pid = child.pid as number;
      await delay(500);
      expect(groupMembers(pid).length, 'the zombie is still in the group').toBe(2);
      expect(liveMembers(identifyGroup(pid))).toEqual([{ pid, command: 'sleep 30' }]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
