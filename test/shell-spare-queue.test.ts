/**
 * The bash session's queued spare (bash-session.ts): when a cell runs in a spare, the next spare's
 * job goes down the session's pipe in the same write as that cell's text, behind it; the spare
 * reads exactly its own frame, and the session forks the next spare as soon as the cell ends,
 * with no request from the engine between. The spare defines the wrapper's functions while it
 * waits (session-protocol.ts spareFileScript), so a cell's text carries only its own part. Real
 * bash; the spy only records what the engine writes to its own pipe.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import type { Executor } from '../src/engine/lang/executor.js';
import { procGroupMembers } from '../src/engine/process/proc-posix.js';
import { contextFor, shellExecutors } from './support/executor-context.js';
import { tempDir } from './runner-support.js';
import { alive, killedWhileSpareWaits } from './support/spare-processes.js';

const shellExecutor = shellExecutors();
const bash = (): Executor => shellExecutor({ lang: 'sh', interpreter: 'bash', killGraceMs: 300 });
const env = () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', LANG: 'C.UTF-8' });

/** What the engine wrote to the bash session's job pipe, one entry per write(): frames start `<length>:`. */
function sessionWrites(): string[] {
  const writes: string[] = [];
  const original = Duplex.prototype.write;
  vi.spyOn(Duplex.prototype, 'write').mockImplementation(function (this: Duplex, chunk: unknown, ...rest: unknown[]) {
    if (typeof chunk === 'string' && /^\d+:/.test(chunk)) writes.push(chunk);
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  });
  return writes;
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** The command line of the cell's own bash: a spare runs on spare.sh, a job on the wrapper file. */
const inSpare = 'tr "\\0" " " < /proc/$$/cmdline | grep -q "spare\\.sh" && echo spare || echo job';

describe.skipIf(process.platform !== 'linux')('bash session: the next spare is queued behind the cell that runs in a spare', () => {
  it('sends the next spare in the same write as the cell before it, and no wrapper definitions in a cell', async () => {
    const writes = sessionWrites();
    const shell = bash();
    const where: string[] = [];
    for (let i = 0; i < 5; i++) {
      const cell = contextFor('sh', `echo "cell ${i}"\n${inSpare}`, { env: env() });
      expect((await shell.run(cell.context)).status).toBe('succeeded');
      const [line, place] = cell.output('stdout').trim().split('\n');
      expect(line).toBe(`cell ${i}`);
      where.push(place!);
    }
    // The first cell starts the session as a job; every later one runs in a spare.
    expect(where).toEqual(['job', 'spare', 'spare', 'spare', 'spare']);
    const spareJob = (text: string) => /^\d+:\{ set -C;[^]*spare\.sh'\n$/.test(text);
    const spareCells = writes.filter((text) => /^\d+:#runbook-spare-cell\n/.test(text));
    expect(spareCells).toHaveLength(4);
    // Asked for once, after the job; from then on each spare's job rides behind a spare's cell.
    expect(writes.filter(spareJob)).toHaveLength(1);
    for (const text of spareCells.slice(0, 3)) expect(text).toMatch(/\n\d+:\{ set -C;[^]*spare\.sh'\n$/);
    // The spare made the wrapper's definitions as it started: a cell's text has only the trap, options and the cell.
    for (const text of spareCells) {
      expect(text).not.toContain('__runbook_capture()');
      expect(text).not.toContain('__runbook_save()');
      expect(text).toContain("trap '{ __runbook_save; } 2>/dev/null' EXIT");
    }
  });

  it('a spare reads exactly its own frame, whatever its environment and directory hold: the queued job behind it stays whole', async () => {
    const dir = tempDir('runbook-spare-queue-');
    const cwd = join(dir, "dïr 'q' $(touch nope) 🚀");
    mkdirSync(cwd);
    const markers = ['m1', 'm2', 'm3', 'm4'].map((name) => join(dir, name));
    const hostile = [
      `it's "quoted" \`touch ${markers[0]}\` $(touch ${markers[1]})`,
      `a[$(touch ${markers[2]})]=1 $((a[$(touch ${markers[3]})]))`,
      '12:ünïcødé ✓ 🚀\n34:\n#runbook-spare-cell\n0:\n\n',
      // Longer than the pipe's buffer (the spare's read is cut into several), shorter than one exec argument may be (128 KiB).
      `${'ü'.repeat(30_000)}:${'x'.repeat(40_000)}\n`,
      '\\\\ \\n \t\r tail',
    ];
    const shell = bash();
    const where: string[] = [];
    for (let round = 0; round < 2; round++) {
      for (const [i, value] of hostile.entries()) {
        // A value of its own in every cell, so each spare's cell exports it (the session started with none of them).
        const cell = contextFor('sh', `printf '%s|' "$HOSTILE" "\${#HOSTILE}" "$PWD"\n${inSpare}`, { cwd, env: { ...env(), HOSTILE: `${value}${round}` } });
        expect((await shell.run(cell.context)).status).toBe('succeeded');
        const out = cell.output('stdout');
        expect(out.slice(0, out.lastIndexOf('|') + 1), `value ${i}, round ${round}`).toBe(`${value}${round}|${[...`${value}${round}`].length}|${cwd}|`);
        where.push(out.slice(out.lastIndexOf('|') + 1).trim());
      }
    }
    expect(where.slice(1)).toEqual(Array(where.length - 1).fill('spare'));
    for (const marker of markers) expect(existsSync(marker), marker).toBe(false);
    expect(existsSync(join(dir, 'nope'))).toBe(false);
  });

  it('a spare-run cell killed by its timeout: the spare queued behind it runs the next cell, and nothing of the killed one is left', async () => {
    const dir = tempDir('runbook-spare-queue-');
    const shell = bash();
    const first = contextFor('sh', 'echo first', { cwd: dir, env: env() });
    expect((await shell.run(first.context)).status).toBe('succeeded');
    const slow = contextFor('sh', `echo $$ > '${join(dir, 'slow')}'\n${inSpare}\nsleep 30 & sleep 30`, { cwd: dir, env: env(), timeoutMs: 400 });
    expect((await shell.run(slow.context)).status).toBe('timed-out');
    expect(slow.output('stdout')).toBe('spare\n');
    const killed = Number(readFileSync(join(dir, 'slow'), 'utf8'));
    for (let i = 0; i < 3; i++) {
      const next = contextFor('sh', `echo "next ${i}"\n${inSpare}`, { cwd: dir, env: env() });
      expect((await shell.run(next.context)).status).toBe('succeeded');
      expect(next.output('stdout')).toBe(`next ${i}\nspare\n`);
    }
    // Its group (the backgrounded sleep included) is ended: SIGTERM, SIGKILL after the grace period; zombies run nothing.
    let left = liveMembers(killed);
    for (let i = 0; i < 150 && left.length > 0; i++) {
      await delay(20);
      left = liveMembers(killed);
    }
    expect(left).toEqual([]);
  });

  it('a kill -9 of the CLI while a queued spare waits: the spare and the session exit', async () => {
    // A CLI stand-in: three cells (the third spare was queued behind the second), then it prints the session's pid and waits.
    const killed = await killedWhileSpareWaits(tempDir('runbook-spare-queue-'), ['true', 'true', 'echo $PPID']);
    expect(killed.status).toBe('succeeded');
    expect(killed.spare).toBeGreaterThan(1);
    expect(killed.spareGone).toBe(true);
    expect(killed.sessionGone).toBe(true);
  });
});

/** The members of a process group that still run (not zombies). */
const liveMembers = (pgid: number) => (procGroupMembers(pgid) ?? []).filter(alive);


