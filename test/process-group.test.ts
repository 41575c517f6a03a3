/** The process-group supervisor every way of running a cell shares: start, stop(reason), outcome. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GroupSupervisor, groupAlive } from '../src/engine/process/process-group.js';

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
});
