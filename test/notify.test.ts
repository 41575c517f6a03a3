/**
 * `run --notify CMD`: every event as NDJSON on a real command's stdin (sh -c), the same
 * lines as the transcript, in order; a notifier that never reads does not hold the run
 * (bounded drain, then its process group is killed); one that exits is recorded once;
 * `--notify-on` picks events; the frontmatter's `notify:` works; bad input is one line, exit 2.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './runner-support.js';

const cells = (n: number) => Array.from({ length: n }, (_, i) => `\`\`\`sh {name=c${i + 1}}\necho "cell ${i + 1}"\n\`\`\`\n`).join('\n');
const RUNBOOK = `# Notify\n\n${cells(3)}\n\`\`\`sh {name=broken}\necho "disk full" >&2; exit 3\n\`\`\`\n`;

let dir: string;
beforeAll(() => {
  dir = tempDir('runbook-notify-');
  writeFileSync(join(dir, 'n.md'), RUNBOOK);
});

/** Running, not a zombie (pid 1 in a container may never reap the orphans it inherits). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('run --notify', () => {
  it('every event reaches the command in order, the very lines of the transcript', async () => {
    const run = await runCli(['run', 'n.md', '--yes', '--keep-going', '--transcript', 't1.jsonl', '--notify', 'cat > got.ndjson'], { cwd: dir });
    expect(run.code).toBe(1);
    const got = lines(join(dir, 'got.ndjson'));
    expect(got).toEqual(lines(join(dir, 't1.jsonl')));
    expect(got.map((l) => (JSON.parse(l) as { type: string }).type)).toContain('cell.output');
    expect(run.stderr).toMatch(/^notify: \d+ events sent$/m);
  });

  it('a notifier that never reads does not hold the run: it exits after a bounded drain and the notifier\'s whole group is killed', async () => {
    const run = await runCli(['run', 'n.md', '--yes', '--keep-going', '--transcript', 't2.jsonl', '--notify', 'echo $$ > sleeper.pid; sleep 100 & echo $! > child.pid; wait'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^notify: \d+ events sent; still running after 2000 ms, stopped$/m);
    const pids = ['sleeper.pid', 'child.pid'].map((f) => Number(readFileSync(join(dir, f), 'utf8')));
    for (const pid of pids) expect(alive(pid)).toBe(false);
    // The run's own record is whole.
    expect((await runCli(['verify', 't2.jsonl'], { cwd: dir })).code).toBe(0);
  });

  it('a notifier that exits is recorded once, not per event, and the run goes on to its end', async () => {
    writeFileSync(join(dir, 'many.md'), `# Many\n\n${cells(30)}`);
    const run = await runCli(['run', 'many.md', '--yes', '--transcript', 't3.jsonl', '--notify', 'head -c 1 >/dev/null; exit 7'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const events = lines(join(dir, 't3.jsonl')).map((l) => JSON.parse(l) as { type: string; reason?: string; status?: string });
    const failed = events.filter((e) => e.type === 'notify.failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.reason).toMatch(/exited with code 7|its input closed/);
    expect(events.filter((e) => e.type === 'cell.finished')).toHaveLength(30);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded' });
    expect(run.stderr).toMatch(/^notify: \d+ events? sent, \d+ dropped; (exited with code 7|its input closed)$/m);
    expect((await runCli(['verify', 't3.jsonl'], { cwd: dir })).code).toBe(0);
  });

  it('--notify-on failure sends only the failures; run sends the run\'s start and end', async () => {
    await runCli(['run', 'n.md', '--yes', '--keep-going', '--transcript', 't4.jsonl', '--notify', 'cat > failures.ndjson', '--notify-on', 'failure'], { cwd: dir });
    const got = lines(join(dir, 'failures.ndjson')).map((l) => JSON.parse(l) as { type: string; cell?: string; status: string });
    expect(got.map((e) => [e.type, e.cell ?? e.status])).toEqual([['cell.finished', 'broken'], ['run.finished', 'failed']]);
    await runCli(['run', 'n.md', '--yes', '--keep-going', '--transcript', 't5.jsonl', '--notify', 'cat > run.ndjson', '--notify-on', 'run,write'], { cwd: dir });
    const types = lines(join(dir, 'run.ndjson')).map((l) => (JSON.parse(l) as { type: string }).type);
    // Shell cells are writes unless marked readonly.
    expect(types).toEqual(['run.started', 'cell.started', 'cell.started', 'cell.started', 'cell.started', 'run.finished']);
  });

  it('takes the command from the frontmatter\'s notify:', async () => {
    writeFileSync(join(dir, 'fm.md'), `---\nnotify:\n  command: cat > fm.ndjson\n  on: run\n---\n${RUNBOOK}`);
    await runCli(['run', 'fm.md', '--yes', '--keep-going', '--transcript', 't6.jsonl'], { cwd: dir });
    expect(lines(join(dir, 'fm.ndjson')).map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['run.started', 'run.finished']);
  });

  it('refuses a bad --notify-on, or one without --notify, in one line, exit 2, before anything runs', async () => {
    for (const args of [['--notify', 'cat', '--notify-on', 'pages'], ['--notify-on', 'run'], ['--notify', ' ']]) {
      const run = await runCli(['run', 'n.md', '--yes', '--transcript', 'refused.jsonl', ...args], { cwd: dir });
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(join(dir, 'refused.jsonl'))).toBe(false);
    }
  });
});
