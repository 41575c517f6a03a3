/**
 * Secrets typed as arguments leave the process list once the CLI starts: read from
 * /proc/<pid>/cmdline of the running CLI (what `ps aux` shows every local user), the values
 * of secret-named `--var`s, of variables the frontmatter marks secret and the password of
 * `--db` are asterisks of the same length; every other argument, and the count of them, is
 * as typed. `--var-file` keeps a secret off the command line altogether.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { platform } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli, tempDir } from './runner-support.js';

const RUNBOOK = `---
variables:
  note: { secret: true }
---
# Secrets

## Wait

\`\`\`sh {name=wait readonly}
test "<API_TOKEN>" = "tok-from-somewhere" && echo token-arrived
echo ready
sleep 60
\`\`\`
`;

function cmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
}

describe.runIf(platform() === 'linux')('secret arguments in the process list', () => {
  it('are asterisks of the same length in /proc/<pid>/cmdline while the run lives; the rest is as typed', async () => {
    const dir = tempDir('runbook-cmdline-');
    const runbook = join(dir, 's.md');
    writeFileSync(runbook, RUNBOOK);
    const token = 'tok-from-somewhere';
    const password = 'pw-Secret-4711';
    const note = 'hush-hush-value';
    const args = ['run', runbook, '--yes', '--transcript', join(dir, 't.jsonl'), '--var', `API_TOKEN=${token}`, `--var=note=${note}`,
      '--var', 'GOOD_SHA=abc1234', '--db', `postgres://oncall:${password}@127.0.0.1:1/app`];
    const cli = startCli(args);
    try {
      await cli.waitFor(/ready/, 60_000);
      expect(cli.stdout()).toContain('token-arrived');
      const shown = cmdline(cli.child.pid as number);
      const text = shown.join(' ');
      for (const secret of [token, password, note]) expect(text).not.toContain(secret);
      // node, the script, then the arguments: same count, secrets masked in place.
      expect(shown.slice(2)).toEqual(args.map((arg) => arg.replace(token, '*'.repeat(token.length)).replace(password, '*'.repeat(password.length)).replace(note, '*'.repeat(note.length))));
      expect(text).toContain('GOOD_SHA=abc1234');
      // The process keeps its name: `pgrep node`, `ps -C node` still find it.
      expect(readFileSync(`/proc/${cli.child.pid}/comm`, 'utf8').trim()).toBe('node');
      expect(text).toContain(`postgres://oncall:${'*'.repeat(password.length)}@127.0.0.1:1/app`);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  }, 120_000);

  it('--var-file binds values kept off the command line; --var wins over it; a bad line is one line, exit 2', async () => {
    const dir = tempDir('runbook-var-file-');
    const runbook = join(dir, 's.md');
    writeFileSync(runbook, RUNBOOK.replace('sleep 60\n', 'echo "note=<note>"\n'));
    const file = join(dir, 'secrets.env');
    writeFileSync(file, '# deploy secrets\nexport API_TOKEN="tok-from-somewhere"\n\nnote=from-the-file\n');
    chmodSync(file, 0o600);
    const run = await runCli(['run', runbook, '--yes', '--transcript', join(dir, 'a.jsonl'), '--var-file', file]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('token-arrived');
    expect(run.stderr).not.toContain('warning');
    expect(readFileSync(join(dir, 'a.jsonl'), 'utf8')).not.toContain('tok-from-somewhere');

    const wins = await runCli(['run', runbook, '--yes', '--transcript', join(dir, 'b.jsonl'), '--var-file', file, '--var', 'API_TOKEN=other-token']);
    expect(wins.code, wins.stdout + wins.stderr).toBe(0);
    expect(wins.stdout).not.toContain('token-arrived');

    chmodSync(file, 0o644);
    const open = await runCli(['run', runbook, '--yes', '--transcript', join(dir, 'c.jsonl'), '--var-file', file]);
    expect(open.stderr).toMatch(/--var-file .*secrets\.env can be read by other users \(mode 644\); chmod 600/);

    const bad = join(dir, 'bad.env');
    writeFileSync(bad, 'API_TOKEN=x\nnot an assignment\n');
    chmodSync(bad, 0o600);
    const refused = await runCli(['run', runbook, '--yes', '--transcript', join(dir, 'd.jsonl'), '--var-file', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toMatch(/^runbook: --var-file .*bad\.env:2: expected NAME=VALUE/);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
  }, 120_000);
});

describe.runIf(platform() === 'linux')('the process.title fallback', () => {
  it('fits the masked line into the argument area (one byte shorter) and keeps the process name', async () => {
    const secret = 'tok-Fallback-0042';
    const module = join(import.meta.dirname, '..', 'dist', 'engine', 'process', 'cmdline-posix.js');
    const script = `const { hideFromCommandLine } = await import(${JSON.stringify(module)});
      console.log(hideFromCommandLine([${JSON.stringify(secret)}], { through: 'title' }));
      setTimeout(() => {}, 60_000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, 'run', 'x.md', '--var', `API_TOKEN=${secret}`, '--yes'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const said = await new Promise<string>((done) => child.stdout.once('data', (chunk: Buffer) => done(chunk.toString().trim())));
      expect(said).toBe('hidden');
      const shown = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
      expect(shown).not.toContain(secret);
      expect(shown.replace(/\0+$/, '')).toContain(`run x.md --var API_TOKEN=${'*'.repeat(secret.length)} --yes`);
      expect(readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim()).toBe('node');
    } finally {
      child.kill();
    }
  });
});
