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

  // A command line that names a command defines only that one (src/cli.ts COMMANDS); these are the lines that need them all.
  it('--help lists every command, help <command> and <command> --help show its flags, a typo gets a suggestion', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['list', 'lint', 'run', 'resume', 'replay', 'timeline', 'verify', 'sign', 'log', 'follow', 'sandbox']) expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    for (const args of [['help', 'run'], ['run', '--help']]) {
      const result = await runCli(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: runbook run [options] <file>');
      expect(result.stdout).toContain('--allow-writes');
    }
    const typo = await runCli(['lisst', 'runbooks/dragonfly.md']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown command 'lisst' (did you mean list?)");
  });

  it('shows the usage and exits 2 without a command', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('Usage: runbook');
  });
});
