/**
 * Directories are made one level at a time (src/engine/make-dirs.ts): Node 20's recursive
 * mkdir never returns for a path under /proc, and a run given such a transcript path hung.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDirs } from '../src/engine/make-dirs.js';
import { runCli } from './runner-support.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-dirs-'));
  dirs.push(dir);
  return dir;
};

describe('makeDirs', () => {
  it('makes the missing levels with the mode asked, and names the first it made', () => {
    const base = temp();
    expect(makeDirs(join(base, 'a', 'b', 'c'), 0o700)).toBe(join(base, 'a'));
    expect(statSync(join(base, 'a', 'b', 'c')).mode & 0o777).toBe(0o700);
    expect(makeDirs(join(base, 'a', 'b'))).toBeUndefined();
  });

  it('fails with the reason where a level is a file', () => {
    const base = temp();
    writeFileSync(join(base, 'f'), '');
    expect(() => makeDirs(join(base, 'f', 'x'))).toThrow(/ENOTDIR/);
  });
});

describe.skipIf(process.platform !== 'linux')('a transcript path under /proc', () => {
  it('is refused at once with one line, and nothing runs', async () => {
    const base = temp();
    const runbook = join(base, 'r.md');
    const marker = join(base, 'ran');
    writeFileSync(runbook, `# r\n\n\`\`\`sh\ntouch '${marker}'\n\`\`\`\n`);
    const result = await runCli(['run', runbook, '--yes', '--transcript', '/proc/runbook-nope/run.jsonl']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^runbook: cannot write transcript \/proc\/runbook-nope\/run\.jsonl: .*nothing was run/)]);
    expect(existsSync(marker)).toBe(false);
  }, 60_000);
});
