/**
 * A full disk, for real: a small tmpfs, pre-filled. Before the run (the transcript cannot
 * be created, or the first lines do not fit) → one line, exit 2, nothing left behind;
 * mid-run (the transcript or a sidecar stops taking bytes) → one line naming the file,
 * the cell cancelled, exit 1, and every line on disk still verifies. Mounting needs
 * root (CI and the dev machine run as root); elsewhere these tests are skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLines, runCli, tempDir } from './runner-support.js';

const mounts: string[] = [];

/** A fresh tmpfs of `size` (e.g. "256k"), or undefined when this process may not mount one. */
function tmpfs(size: string): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = tempDir('runbook-disk-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  mounts.push(dir);
  return dir;
}

const probe = tmpfs('16k');
const canMount = probe !== undefined;

afterAll(() => {
  for (const dir of mounts) {
    try {
      execFileSync('umount', [dir], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Left mounted: harmless, and a later run mounts elsewhere.
    }
  }
});

/** Fills the file system at `dir` until `leave` bytes are free (0: completely). */
function fill(dir: string, leave: number, name = 'filler'): void {
  const { bavail, bsize } = statfsSync(dir);
  const bytes = bavail * bsize - leave;
  if (bytes > 0) writeFileSync(join(dir, name), Buffer.alloc(bytes, 0x61));
  if (leave === 0) {
    // Whatever page rounding left: one byte at a time until the disk refuses.
    for (let n = 0; ; n += 1) {
      try {
        writeFileSync(join(dir, `${name}-${n}`), 'x');
      } catch {
        break;
      }
    }
  }
}

function runbook(dir: string, body: string[]): string {
  const path = join(dir, 'disk.md');
  writeFileSync(path, ['# Disk', '', ...body, ''].join('\n'));
  return path;
}

/** The lines runbook itself wrote to stderr, and whether any looks like a stack trace. */
function ownLines(stderr: string): string[] {
  expect(stderr).not.toMatch(/^\s+at |internal error|Error: /m);
  return stderr.split('\n').filter((l) => l.startsWith('runbook:'));
}

const env = { RUNBOOK_DATABASE_URL: '' };

describe.skipIf(!canMount)('a full disk (a real tmpfs; skipped unless the tests run as root and may mount one)', () => {
  it('mid-cell: one line naming the transcript, the cell cancelled, exit 1, the record verifies; resume waits for space and then runs the cell', async () => {
    const disk = tmpfs('512k') as string;
    const work = tempDir('runbook-disk-work-');
    const marker = join(work, 'after-output');
    // ~200 KB of output, then a write the cancel must prevent.
    const book = runbook(work, ['```sh {name=loud}', 'for i in $(seq 1 2000); do echo "line $i of output that fills the disk xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; done', 'sleep 3', `echo done > '${marker}'`, '```']);
    fill(disk, 48 * 1024);
    const transcript = join(disk, 'run.jsonl');
    const result = await runCli(['run', book, '--yes', '--transcript', transcript], { cwd: work, env });

    expect(result.code, result.stderr).toBe(1);
    const lines = ownLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^runbook: cannot write transcript ${transcript}: no space left on device \\(ENOSPC\\); seq \\d+ \\(cell.output of loud\\)`));
    expect(lines[0]).toContain(`runbook resume ${transcript}`);
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(existsSync(marker), 'the cancelled cell went on').toBe(false);

    // Every complete line verifies; run.finished made it (truncating the torn line freed room) or the record says it did not finish.
    const verified = await runCli(['verify', transcript], { cwd: work });
    const events = parseLines(readFileSync(transcript, 'utf8'));
    const finished = events.find((e) => e.type === 'run.finished');
    if (finished) {
      expect(verified.code, verified.stderr).toBe(0);
      expect(finished).toMatchObject({ status: 'aborted', reason: 'cannot write the transcript: no space left on device (ENOSPC)' });
    } else {
      expect(verified.code).toBe(3);
      expect(verified.stderr).toContain('run did not finish');
    }
    expect(events.some((e) => e.type === 'cell.started' && e.cell === 'loud')).toBe(true);

    // Still full: resume cannot write run.resumed and changes nothing.
    fill(disk, 0, 'rest');
    const before = readFileSync(transcript);
    const refused = await runCli(['resume', transcript, '--yes'], { cwd: work, env });
    expect(refused.code, refused.stderr).toBe(2);
    expect(ownLines(refused.stderr)).toEqual([expect.stringMatching(/^runbook: cannot write transcript .*no space left on device \(ENOSPC\); nothing was run/)]);
    expect(readFileSync(transcript).equals(before)).toBe(true);
    expect(existsSync(marker)).toBe(false);

    // Space again: the cell runs once, to the end, and the whole record verifies.
    for (const name of readdirSync(disk)) if (name.startsWith('filler') || name.startsWith('rest')) rmSync(join(disk, name));
    const resumed = await runCli(['resume', transcript, '--yes'], { cwd: work, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readFileSync(marker, 'utf8')).toBe('done\n');
    expect((await runCli(['verify', transcript], { cwd: work })).code).toBe(0);
  }, 120_000);

  it('mid-cell in a sidecar: the line names the sidecar, exit 1, every line on disk verifies', async () => {
    const disk = tmpfs('2m') as string;
    const work = tempDir('runbook-disk-work-');
    // 4 MB of output: 1 MiB travels in events, the rest spills into a sidecar that fills the disk.
    const book = runbook(work, ['```sh {name=flood}', "head -c 4000000 /dev/zero | tr '\\0' x | fold -w 100", '```']);
    const transcript = join(disk, 'run.jsonl');
    const result = await runCli(['run', book, '--yes', '--transcript', transcript], { cwd: work, env });

    expect(result.code, result.stderr).toBe(1);
    const lines = ownLines(result.stderr);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^runbook: cannot write sidecar ${join(disk, 'run.flood.1.stdout.log')} of transcript ${transcript}: no space left on device \\(ENOSPC\\)`))]);
    const verified = await runCli(['verify', transcript], { cwd: work });
    // The sidecar filled the disk, so run.finished may not fit: then verify says the run did not finish.
    expect([0, 3], verified.stderr).toContain(verified.code);
    if (verified.code === 3) expect(verified.stderr).toMatch(/run did not finish: last event seq \d+ \(cell.output.spilled, flood\)/);
    expect(verified.stderr).not.toMatch(/altered|not valid JSON/);
  }, 120_000);

  it('before the run, a disk with no room: exit 2, one line, no file and no directory left', async () => {
    const disk = tmpfs('64k') as string;
    const work = tempDir('runbook-disk-work-');
    const marker = join(work, 'ran');
    const book = runbook(work, ['```sh {name=touch}', `touch '${marker}'`, '```']);
    fill(disk, 0);
    const listing = readdirSync(disk).sort();
    const result = await runCli(['run', book, '--yes', '--transcript', join(disk, 'new', 'dir', 'run.jsonl')], { cwd: work, env });
    expect(result.code, result.stderr).toBe(2);
    expect(ownLines(result.stderr)).toEqual([expect.stringMatching(/^runbook: cannot write transcript .*run\.jsonl: no space left on device \(ENOSPC\); nothing was run — free space on that disk, or choose another --transcript$/)]);
    expect(readdirSync(disk).sort()).toEqual(listing);
    expect(existsSync(marker)).toBe(false);
  }, 60_000);

  it('before the first cell, lines that no longer fit (run.started fits, cell.started does not): exit 2, the file removed', async () => {
    const disk = tmpfs('64k') as string;
    const work = tempDir('runbook-disk-work-');
    const marker = join(work, 'ran');
    // The cell's source travels in cell.started: 40 KB of comment make it too big for what is left.
    const book = runbook(work, ['```sh {name=big-source}', ...Array.from({ length: 500 }, (_, i) => `# padding line ${i} ${'p'.repeat(64)}`), `touch '${marker}'`, '```']);
    fill(disk, 12 * 1024);
    const listing = readdirSync(disk).sort();
    const transcript = join(disk, 'run.jsonl');
    const result = await runCli(['run', book, '--yes', '--transcript', transcript], { cwd: work, env });
    expect(result.code, result.stderr).toBe(2);
    expect(ownLines(result.stderr)).toEqual([expect.stringMatching(/^runbook: cannot write transcript .*: no space left on device \(ENOSPC\); nothing was run and no file was left/)]);
    expect(readdirSync(disk).sort()).toEqual(listing);
    // No closing "transcript: <path>" pointing at the file that is gone.
    expect(result.stdout.trim().split('\n').at(-1)).not.toContain(transcript);
    expect(existsSync(marker)).toBe(false);
  }, 60_000);

  it('before the run, a read-only directory: exit 2, one line', async () => {
    const disk = tmpfs('64k') as string;
    mkdirSync(join(disk, 'ro'));
    execFileSync('mount', ['-o', 'remount,ro', disk]);
    const work = tempDir('runbook-disk-work-');
    const book = runbook(work, ['```sh {name=echo}', 'echo hi', '```']);
    const result = await runCli(['run', book, '--yes', '--transcript', join(disk, 'ro', 'run.jsonl')], { cwd: work, env });
    expect(result.code, result.stderr).toBe(2);
    expect(ownLines(result.stderr)).toEqual([expect.stringMatching(/^runbook: cannot write transcript .*: read-only file system \(EROFS\); nothing was run — make its directory writable, or choose another --transcript$/)]);
    expect(readdirSync(join(disk, 'ro'))).toEqual([]);
  }, 60_000);
});
