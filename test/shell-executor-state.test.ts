import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readState } from '../src/engine/process/shell-session.js';
import { contextFor, shellExecutors } from './support/executor-context.js';

const sh = shellExecutors();

describe('shell executor: state hand-over captured by the shell itself', () => {
  for (const interpreter of ['bash', 'dash']) {
    it(`carries values with newlines, '=' and quotes, unsets and cwd (${interpreter})`, async () => {
      const shell = sh({ lang: 'sh', interpreter });
      const dir = mkdtempSync(join(tmpdir(), 'runbook-state-'));
      try {
        const first = contextFor('sh', `export V='a=b\nline "two" '"'"'x'"'"\nunset DROP\ncd ${dir}\nexit 5`);
        first.context.env = { ...first.context.env, DROP: 'me', KEEP: 'kept' };
        expect(await shell.run(first.context)).toMatchObject({ status: 'failed', exitCode: 5 });
        const second = contextFor('sh', 'printf "%s|%s|%s|%s" "$V" "${DROP-unset}" "$KEEP" "$(pwd)"');
        second.context.env = { ...second.context.env, DROP: 'me', KEEP: 'kept' };
        expect((await shell.run(second.context)).status).toBe('succeeded');
        expect(second.output()).toBe(`a=b\nline "two" 'x'|unset|kept|${dir}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('hands over whatever the cell redefined: builtins shadowed by functions, IFS, a large environment', async () => {
    const shell = sh({ lang: 'sh', interpreter: 'bash' });
    const big = 'v'.repeat(5000);
    const first = contextFor(
      'sh',
      [
        'mapfile() { echo hijacked; }; compgen() { echo hijacked; }; printf() { echo hijacked; }; read() { return 1; }',
        "IFS=x; set -u",
        `export BIG1=${big} BIG2=${big} SPACED='a b  c' EMPTY=`,
        'unset DROP',
      ].join('\n'),
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DROP: 'me' } },
    );
    expect((await shell.run(first.context)).status).toBe('succeeded');
    const second = contextFor('sh', 'echo "${#BIG1} ${#BIG2}|$SPACED|${EMPTY-unset}|${DROP-unset}"', { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DROP: 'me' } });
    expect((await shell.run(second.context)).status).toBe('succeeded');
    expect(second.output()).toBe('5000 5000|a b  c||unset\n');
  });

  it('hands over in dash after the cell shadowed printf and env with functions', async () => {
    const shell = sh({ lang: 'sh', interpreter: 'dash' });
    const first = contextFor('sh', 'printf() { echo hijacked; }\nenv() { echo hijacked; }\nexport CARRIED=yes');
    expect((await shell.run(first.context)).status).toBe('succeeded');
    const second = contextFor('sh', 'echo "${CARRIED-lost}"');
    expect((await shell.run(second.context)).status).toBe('succeeded');
    expect(second.output()).toBe('yes\n');
  });

  it('keeps an inherited variable whose name bash cannot list (not a shell identifier)', async () => {
    const shell = sh({ lang: 'sh', interpreter: 'bash' });
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', 'odd.name': 'still-here' };
    const first = contextFor('sh', 'export X=1', { env });
    await shell.run(first.context);
    const second = contextFor('sh', `${process.execPath} -e 'process.stdout.write(process.env["odd.name"] ?? "gone")'`, { env });
    expect((await shell.run(second.context)).status).toBe('succeeded');
    expect(second.output()).toBe('still-here');
  });

  it("does not trace or leak the hand-over when a cell turns on set -x", async () => {
    const run = contextFor('sh', 'export SECRET_TOKEN=hunter2\nset -x\ntrue', { attributes: { interpreter: 'bash' } });
    expect((await sh().run(run.context)).status).toBe('succeeded');
    expect(run.output('stderr')).not.toContain('hunter2');
    expect(run.output('stderr')).not.toContain('printf');
  });

  it('carries nothing from a hand-over file that was cut short', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-state-'));
    try {
      const file = join(dir, 'state');
      writeFileSync(file, 'runbook-state:names\0/tmp\0A=1\0B=2');
      expect(await readState(file)).toBeUndefined();
      writeFileSync(file, 'runbook-state:env\0/tmp\0A=1\0B=x=y\0runbook-state:end\0');
      expect(await readState(file)).toEqual({ env: { A: '1', B: 'x=y' }, cwd: '/tmp', identifiersOnly: false });
      writeFileSync(file, '\uFEFF{"env":{"A":"1"},"cwd":"C:\\\\x\\r\\n"}');
      expect(await readState(file)).toEqual({ env: { A: '1' }, cwd: 'C:\\x' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
