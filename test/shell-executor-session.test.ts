import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { SentinelSplitter } from '../src/engine/process/session-protocol.js';
import type { Executor } from '../src/engine/lang/executor.js';
import { contextFor, shellExecutors } from './support/executor-context.js';
import { procIsZombie } from '../src/engine/process/proc-posix.js';

const shellExecutor = shellExecutors();
const bash = (): Executor => shellExecutor({ lang: 'sh', interpreter: 'bash', killGraceMs: 500 });

async function run(shell: Executor, source: string, overrides: Parameters<typeof contextFor>[2] = {}) {
  const recorded = contextFor('sh', source, overrides);
  const result = await shell.run(recorded.context);
  return { result, stdout: recorded.output('stdout'), stderr: recorded.output('stderr') };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The process group of a process, from /proc. */
function groupOf(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]);
}

describe('shell executor: one bash session per executor', () => {
  it('runs each cell in a fresh bash of its own process group, under one session', async () => {
    const shell = bash();
    const cells: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const { result, stdout } = await run(shell, 'echo "$$ $PPID $(cut -d" " -f5 /proc/$$/stat)"');
      expect(result.status).toBe('succeeded');
      cells.push(stdout.trim().split(' ').map(Number));
    }
    const [pids, parents, groups] = [0, 1, 2].map((i) => cells.map((cell) => cell[i]!));
    expect(new Set(parents).size).toBe(1);
    expect(new Set(pids).size).toBe(3);
    expect(groups).toEqual(pids);
  });

  it('gives cells /dev/null as stdin, never the control channel', async () => {
    const shell = bash();
    const { result, stdout } = await run(shell, 'cat\nif read -r line; then echo "read: $line"; else echo eof; fi\n{ cat <&3; } 2>/dev/null || echo "fd 3 closed"');
    expect(result.status).toBe('succeeded');
    expect(stdout).toBe('eof\nfd 3 closed\n');
    expect((await run(shell, 'echo still here')).stdout).toBe('still here\n');
  });

  it("sends only what differs from the session's start environment, yet each cell sees exactly its own", async () => {
    const shell = bash();
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', KEEP: 'start', SHLVL: '4', GONE: 'here' };
    // The session's own SHLVL is 5 and its PWD its work dir: a cell must see a fresh bash's, not the session's.
    const first = await run(shell, 'echo "$SHLVL $PWD"\nexport KEEP=changed\nunset GONE', { env });
    expect(first.stdout).toBe(`5 ${process.cwd()}\n`);
    const second = await run(shell, 'echo "$KEEP ${GONE-unset}"\nexport KEEP=start', { env });
    expect(second.stdout).toBe('changed unset\n');
    // Back to the start value: no longer sent, inherited from the session, still right.
    const third = await run(shell, 'echo "$KEEP ${GONE-unset} $SHLVL"', { env });
    expect(third.stdout).toBe('start unset 5\n');
  });

  it('keeps the carried state after a cell killed by timeout, in the same session', async () => {
    const shell = bash();
    const first = await run(shell, 'export KEEP=kept\necho $PPID');
    await run(shell, 'export LOST=lost\ncd /\nsleep 30', { timeoutMs: 300 });
    const after = await run(shell, 'echo "$KEEP ${LOST-none} $PWD $PPID"');
    expect(after.result.status).toBe('succeeded');
    expect(after.stdout).toBe(`kept none ${process.cwd()} ${first.stdout.trim()}\n`);
  });

  it('writes no job-control notices into a cell', async () => {
    const shell = bash();
    const killed = await run(shell, 'sleep 30 &\nkill -TERM $!\nwait || true\necho done');
    expect(killed.stdout).toBe('done\n');
    await run(shell, 'sleep 30', { timeoutMs: 200 });
    const next = await run(shell, 'echo next');
    expect([next.stdout, next.stderr]).toEqual(['next\n', '']);
  });

  it('delivers every byte of a large output before the cell finishes', async () => {
    const { result, stdout, stderr } = await run(bash(), 'seq 1 100000\nseq 1 1000 >&2\nprintf "no newline at the end"');
    expect(result.status).toBe('succeeded');
    const expected = Array.from({ length: 100000 }, (_, i) => `${i + 1}\n`).join('');
    expect(stdout).toBe(`${expected}no newline at the end`);
    expect(stderr.split('\n').length).toBe(1001);
  });

  it('fails the cell whose session is killed under it, and starts a new session with the carried state', async () => {
    const shell = bash();
    const first = await run(shell, 'export KEEP=kept\necho $PPID');
    const session = Number(first.stdout);
    const killer = await run(shell, 'export LOST=lost\nkill -KILL $PPID\nsleep 30');
    expect(killer.result).toMatchObject({ status: 'failed', error: { code: 'ESESSION', message: expect.stringContaining('killed by SIGKILL') } });
    expect(alive(session)).toBe(false);
    const next = await run(shell, 'echo "$KEEP ${LOST-none} $PPID"');
    expect(next.result.status).toBe('succeeded');
    const [keep, lost, parent] = next.stdout.trim().split(' ');
    expect([keep, lost]).toEqual(['kept', 'none']);
    expect(Number(parent)).not.toBe(session);
  });

  it('runs the next cell transparently when the session died between cells', async () => {
    const shell = bash();
    const first = await run(shell, 'export KEEP=kept\necho $PPID');
    const session = Number(first.stdout);
    expect(groupOf(session)).toBe(session);
    // Killed and dead, and without an event-loop turn (Node has not reaped it or seen its exit),
    // the next cell already sent: the spare the session had started for it must not take it.
    process.kill(session, 'SIGKILL');
    const deadline = Date.now() + 5000;
    while (procIsZombie(session) === false && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    const next = await run(shell, 'echo "$KEEP"');
    expect(next.result).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(next.stdout).toBe('kept\n');
  });

  it('hands every job over whole in a UTF-8 session: its length is counted in bytes, never characters', async () => {
    const shell = bash();
    // Multibyte characters make a job longer in bytes than in characters; colons and digits look like the length's frame.
    const hostile = '12:ünïcødé ✓ 🚀\n34:\n\ttrailing newlines\n\n';
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', HOSTILE: hostile };
    for (let i = 0; i < 3; i++) {
      const { result, stdout } = await run(shell, 'printf "%s|%s" "$HOSTILE" "${#HOSTILE}"', { env: { ...env, ROUND: `${i}🚀` }, timeoutMs: 20_000 });
      expect(result.status).toBe('succeeded');
      expect(stdout).toBe(`${hostile}|${[...hostile].length}`);
    }
  });

  it('starts a new session when an inherited name bash cannot export changes', async () => {
    const shell = bash();
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    const print = `${process.execPath} -e 'process.stdout.write(process.env["odd.name"] ?? "unset")'`;
    expect((await run(shell, print, { env: { ...env, 'odd.name': 'one' } })).stdout).toBe('one');
    expect((await run(shell, print, { env: { ...env, 'odd.name': 'two' } })).stdout).toBe('two');
    expect((await run(shell, print, { env })).stdout).toBe('unset');
  });
});

describe('SentinelSplitter', () => {
  const sentinel = '__runbook_end_0123456789abcdef__';

  it('passes everything before the sentinel, however the stream is cut, and nothing after', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.nat(), { maxLength: 8 }), fc.string(), (text, cuts, after) => {
        const whole = `${text}${sentinel}${after}`;
        const points = [...new Set(cuts.map((cut) => cut % (whole.length + 1)))].sort((a, b) => a - b);
        let out = '';
        const splitter = new SentinelSplitter(sentinel, (chunk) => (out += chunk));
        let from = 0;
        for (const point of [...points, whole.length]) {
          splitter.push(whole.slice(from, point));
          from = point;
        }
        // A text that itself contains the sentinel ends at its first occurrence.
        expect(out).toBe(whole.slice(0, whole.indexOf(sentinel)));
        expect(splitter.done).toBe(true);
      }),
    );
  });

  it('holds back a tail that may start a sentinel until it is known not to', () => {
    const seen: string[] = [];
    const splitter = new SentinelSplitter(sentinel, (chunk) => seen.push(chunk));
    splitter.push('abc__runbook_e');
    expect(seen).toEqual(['abc']);
    splitter.push('xtra');
    expect(seen).toEqual(['abc', '__runbook_extra']);
    expect(splitter.done).toBe(false);
  });
});
