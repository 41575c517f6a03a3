/**
 * `verify` (and `log push`, which verifies first) reads only the sidecar files a run could
 * have written: a forged `cell.output.closed` naming `/dev/zero`, `../` paths, a FIFO or a
 * symbolic link is a finding, never a read that hangs or prints another file's size and hash.
 * The chain is re-computed by hand, as a forger with the format in hand can.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './runner-support.js';

const dir = tempDir('runbook-sidecar-paths-');
let lines: string[];

function rechain(all: string[]): string {
  let previous = '';
  return all
    .map((line, seq) => {
      const event = JSON.parse(line) as Record<string, unknown>;
      delete event.hash;
      event.seq = seq;
      const body = JSON.stringify(event);
      previous = createHash('sha256').update(previous).update(body).digest('hex');
      return `${body.slice(0, -1)},"hash":"${previous}"}\n`;
    })
    .join('');
}

/** The run's record with one forged `cell.output.closed` naming `path`, before its run.finished. */
function forged(name: string, path: string): string {
  const finished = JSON.parse(lines.at(-1)!) as { run: string; ts: string };
  const closed = JSON.stringify({ v: 1, seq: 0, ts: finished.ts, type: 'cell.output.closed', run: finished.run, cell: 'hello', stream: 'stdout', path, bytes: 10, sha256: '0'.repeat(64) });
  const file = join(dir, name);
  writeFileSync(file, rechain([...lines.slice(0, -1), closed, lines.at(-1)!]));
  return file;
}

beforeAll(async () => {
  writeFileSync(join(dir, 'hello.md'), '# Hello\n\n## Say\n\n```sh {name=hello readonly}\necho hello\n```\n');
  const transcript = join(dir, 'hello.jsonl');
  expect((await runCli(['run', 'hello.md', '--yes', '--transcript', transcript], { cwd: dir })).code).toBe(0);
  lines = readFileSync(transcript, 'utf8').split('\n').filter(Boolean);
});

describe('verify opens only sidecar names the writer produces, regular files beside the transcript', () => {
  it.each([
    ['/dev/zero', '/dev/zero', 'is not a name a run gives its sidecar files'],
    ['a path out of the folder', '../../../../etc/passwd', 'is not a name a run gives its sidecar files'],
    ['a subfolder', 'sub/t.hello.1.stdout.log', 'is not a name a run gives its sidecar files'],
  ])('%s: a finding (exit 1), nothing read', async (_what, path, finding) => {
    const result = await runCli(['verify', forged(`f-${_what.length}.jsonl`, path)]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toContain(finding);
  }, 30_000);

  it('a FIFO with a sidecar name: not a regular file, no hang', async () => {
    execFileSync('mkfifo', [join(dir, 'fifo.hello.1.stdout.log')]);
    const result = await runCli(['verify', forged('fifo.jsonl', 'fifo.hello.1.stdout.log')]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toContain('sidecar fifo.hello.1.stdout.log is not a regular file');
  }, 30_000);

  it("a symbolic link with a sidecar name: refused, the target's size and hash never printed", async () => {
    symlinkSync('/etc/passwd', join(dir, 'link.hello.1.stdout.log'));
    const result = await runCli(['verify', forged('link.jsonl', 'link.hello.1.stdout.log')]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toContain('sidecar link.hello.1.stdout.log is a symbolic link');
    expect(result.stderr).not.toMatch(/sha256 [0-9a-f]{12}…; the record/);
  }, 30_000);
});
