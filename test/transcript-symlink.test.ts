/**
 * `--transcript` never writes through a symbolic link: a planted link (dangling, aimed at a
 * shell profile, or at an existing file) is refused before anything runs, exit 2, and its
 * target is neither created nor touched.
 */
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './runner-support.js';

function setUp() {
  const dir = tempDir('runbook-symlink-');
  writeFileSync(join(dir, 'hello.md'), '# Hello\n\n## Say\n\n```sh {name=hello readonly}\necho hello\n```\n');
  return dir;
}

describe('--transcript through a symbolic link', () => {
  it('a dangling link: refused (exit 2), its target is never created', async () => {
    const dir = setUp();
    const target = join(dir, '.bash_profile');
    symlinkSync(target, join(dir, 't.jsonl'));
    const result = await runCli(['run', 'hello.md', '--yes', '--transcript', 't.jsonl'], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toContain('transcript path t.jsonl is a symbolic link');
    expect(existsSync(target)).toBe(false);
  });

  it('a link to an existing file: refused, the file unchanged', async () => {
    const dir = setUp();
    const target = join(dir, 'profile');
    writeFileSync(target, 'export PATH=/usr/bin\n');
    symlinkSync(target, join(dir, 't.jsonl'));
    const result = await runCli(['run', 'hello.md', '--yes', '--transcript', 't.jsonl'], { cwd: dir });
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(readFileSync(target, 'utf8')).toBe('export PATH=/usr/bin\n');
  });
});
