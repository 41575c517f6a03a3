/** The command line itself: its exports, usage errors and version, through the built CLI. */
import { describe, expect, it } from 'vitest';
import * as cli from '../src/cli.js';
import { VERSION } from '../src/version.js';
import { runCli } from './runner-support.js';

describe('runbook CLI', () => {
  it('exports exactly main', () => {
    expect(Object.keys(cli).sort()).toEqual(['main']);
  });

  it('prints its version', async () => {
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it.each([
    [['run', 'runbooks/dragonfly.md', '--bogus'], "runbook: unknown option '--bogus'; see runbook --help"],
    [['frobnicate'], "runbook: unknown command 'frobnicate'; see runbook --help"],
    [['timeline', 'x.jsonl', '--format', 'pdf'], 'runbook: option'],
  ])('answers %j with one line and exit 2', async (args, line) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(line);
  });

  it('shows the usage and exits 2 without a command', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('Usage: runbook');
  });
});
