/**
 * What a command loads before it does anything: `list` parses and plans, it never talks to
 * PostgreSQL, so it must not pay for pg (which pulls in undici and node:assert, ~90 ms of
 * CPU). Checked on the built CLI (global setup builds dist/), in a fresh Node process.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** The CommonJS modules (pg is one) a fresh process has loaded after importing `module`. */
function cjsLoadedBy(module: string): string[] {
  const script = `await import(${JSON.stringify(join(ROOT, module))}); const { createRequire } = await import('node:module'); process.stdout.write(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)))`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as string[];
}

describe('start-up imports', () => {
  it('list loads no PostgreSQL client: the sandbox (and pg with it) is imported only when a run starts it', () => {
    const loaded = cjsLoadedBy('dist/commands/list.js');
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter((path) => /[\\/]node_modules[\\/]pg[\\/]/.test(path))).toEqual([]);
  }, 60_000);
});
