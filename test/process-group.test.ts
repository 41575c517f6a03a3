/** The process-group supervisor every way of running a cell shares: start, stop(reason), outcome. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { GroupSupervisor, groupAlive } from '../src/engine/process/process-group.js';
import { reaperDir, reaperPid, registerGroup, unregisterGroup } from '../src/engine/process/reaper.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A leader with a child that ignores SIGTERM, in a group of its own; resolved once the trap
 * is set (a SIGTERM sent before the shell reached it killed the leader, and the test with it).
 */
async function stubbornGroup(): Promise<number> {
  const child = spawn('sh', ['-c', "trap '' TERM; sleep 30 & echo ready; wait"], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', () => resolve());
    child.on('error', reject);
  });
  child.stdout!.destroy();
  child.unref();
  return child.pid!;
}

async function gone(pgid: number, withinMs: number): Promise<boolean> {
  for (let waited = 0; waited < withinMs; waited += 50) {
    if (!groupAlive(pgid)) return true;
    await delay(50);
  }
  return !groupAlive(pgid);
}

describe('GroupSupervisor', () => {
  it('a cancel ends the whole group, SIGKILL after the grace period for members that ignore SIGTERM', async () => {
    const controller = new AbortController();
    const group = new GroupSupervisor({ signal: controller.signal, graceMs: 300 });
    const pgid = await stubbornGroup();
    group.start(pgid);
    expect(group.outcome).toEqual({ pgid });
    controller.abort();
    expect(group.outcome).toEqual({ pgid, endedBy: 'cancel' });
    await delay(100);
    expect(groupAlive(pgid)).toBe(true);
    expect(await gone(pgid, 10_000)).toBe(true);
    group.finish();
  });

  it('a timeout that fires before the group is known reaches it at start', async () => {
    const group = new GroupSupervisor({ signal: new AbortController().signal, timeoutMs: 20, graceMs: 100 });
    await delay(80);
    expect(group.outcome.endedBy).toBe('timeout');
    const pgid = await stubbornGroup();
    group.start(pgid);
    expect(await gone(pgid, 10_000)).toBe(true);
    group.finish();
  });

  it('finish() ends members left behind by a leader that exited, without recording a reason', async () => {
    const group = new GroupSupervisor({ signal: new AbortController().signal, graceMs: 100 });
    const pgid = await stubbornGroup();
    group.start(pgid);
    group.finish();
    expect(group.outcome.endedBy).toBeUndefined();
    expect(await gone(pgid, 10_000)).toBe(true);
    // A stop after the cell is over changes nothing.
    group.stop('cancel');
    expect(group.outcome.endedBy).toBeUndefined();
  });

  it('finish() of a group that is already gone probes it once and forgets it (registration removed)', async () => {
    const child = spawn('true', [], { detached: true, stdio: 'ignore' });
    await new Promise((resolve) => child.on('exit', resolve));
    const pgid = child.pid!;
    const group = new GroupSupervisor({ signal: new AbortController().signal, graceMs: 100 });
    group.start(pgid);
    const registration = join(reaperDir(), `${pgid}.pgid`);
    expect(existsSync(registration)).toBe(true);
    const kill = vi.spyOn(process, 'kill');
    try {
      group.finish();
      // Probes (signal 0) of this group: one. Nothing else was sent to it.
      expect(kill.mock.calls.filter(([target]) => target === -pgid)).toEqual([[-pgid, 0]]);
    } finally {
      kill.mockRestore();
    }
    expect(existsSync(registration)).toBe(false);
  });

  it('registers a group once with each reaper: a second registration (a spare taken by its cell) writes nothing', async () => {
    // No such group: registration only writes a file the reaper reads when the CLI dies.
    const pgid = 4_000_000 + (process.pid % 100_000);
    registerGroup(pgid);
    const first = join(reaperDir(), `${pgid}.pgid`);
    expect(readFileSync(first, 'utf8')).toBe(String(pgid));
    writeFileSync(first, 'marked');
    registerGroup(pgid);
    expect(readFileSync(first, 'utf8')).toBe('marked');
    // Forgotten, then registered again: written again.
    unregisterGroup(pgid);
    expect(existsSync(first)).toBe(false);
    registerGroup(pgid);
    expect(readFileSync(first, 'utf8')).toBe(String(pgid));
    // A reaper killed from outside: the next registration goes to the new reaper's directory.
    const old = reaperPid()!;
    process.kill(old, 'SIGKILL');
    for (let i = 0; i < 200 && reaperDir() === join(first, '..'); i++) await delay(25);
    const second = join(reaperDir(), `${pgid}.pgid`);
    expect(second).not.toBe(first);
    registerGroup(pgid);
    expect(readFileSync(second, 'utf8')).toBe(String(pgid));
    unregisterGroup(pgid);
  });
});
