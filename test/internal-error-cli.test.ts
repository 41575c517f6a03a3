/**
 * The installed entry point when the CLI cannot load (dist/ missing or half-built): one line
 * that says what to do, exit 70 (EXIT.internal), no loader stack.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/commands/exit.js';

describe('bin/runbook.js without a loadable dist/', () => {
  it('says so in one line and exits 70', () => {
    const dir = mkdtempSync(join(tmpdir(), 'no-dist-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(resolve(import.meta.dirname, '..', 'bin', 'runbook.js'), join(dir, 'bin', 'runbook.js'));
      const result = spawnSync(process.execPath, [join(dir, 'bin', 'runbook.js'), 'list', 'x.md'], { encoding: 'utf8', timeout: 60_000 });
      expect(result.status).toBe(EXIT.internal);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^runbook: internal error: the CLI could not load \(.*hide-arguments\.js.*\); dist\/ is missing or stale: run `npm run build`/);
      expect(result.stderr).not.toMatch(/^\s+at /m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
