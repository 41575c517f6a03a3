/**
 * Functions named like the commands the bash session, its jobs, the gate and the wrapper use:
 * exported by the operator's environment (bash imports `BASH_FUNC_<name>%%` at start-up) or
 * defined by a cell. None may hang the session, skip a cell, or lose its hand-over. Real bash.
 */
import { describe, expect, it } from 'vitest';
import type { Executor } from '../src/engine/lang/executor.js';
import { contextFor, shellExecutors } from './support/executor-context.js';

const shellExecutor = shellExecutors();
const bash = (): Executor => shellExecutor({ lang: 'sh', interpreter: 'bash', killGraceMs: 500 });

const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };

/** Commands the session, the job, the gate and the wrapper run, and a few more a runbook's shell might wrap. */
const NAMES = ['read', 'printf', 'wait', 'kill', 'exec', 'mapfile', 'compgen', 'builtin', 'command', 'set', 'unset', 'export', 'eval', 'trap', 'exit', 'continue', '[', 'cd', '.', 'source', 'true', 'env'];

async function twoCells(env: Record<string, string>) {
  const shell = bash();
  const first = contextFor('sh', 'X="carried $$"\n/bin/echo one', { env });
  const firstResult = await shell.run(first.context);
  const second = contextFor('sh', '/bin/echo "two $X"', { env });
  const secondResult = await shell.run(second.context);
  return { firstResult, secondResult, first: first.output('stdout'), second: second.output('stdout') };
}

describe('bash cells under hostile function names', () => {
  it.each(NAMES)('an exported function named %s changes nothing the engine runs', async (name) => {
    // A function that does nothing: the session's own `read` or `wait` used to hang, `exec` to run the cell nowhere.
    const env = { ...baseEnv, [`BASH_FUNC_${name}%%`]: '() {  return 0\n}' };
    const { firstResult, secondResult, first, second } = await twoCells(env);
    expect(firstResult.status).toBe('succeeded');
    expect(first).toBe('one\n');
    expect(secondResult.status).toBe('succeeded');
    expect(second).toMatch(/^two carried \d+\n$/);
  }, 20_000);

  it('exported functions named both command and builtin: the cell fails with one line, and runs nothing', async () => {
    const env = { ...baseEnv, 'BASH_FUNC_command%%': '() {  return 0\n}', 'BASH_FUNC_builtin%%': '() {  return 0\n}' };
    const shell = bash();
    const cell = contextFor('sh', '/bin/echo ran', { env });
    const result = await shell.run(cell.context);
    expect(result.status).toBe('failed');
    expect(result.error?.message).toMatch(/both `command` and `builtin`/);
    expect(cell.output()).toBe('');
  });

  it('the cell still gets the exported function itself', async () => {
    const env = { ...baseEnv, 'BASH_FUNC_greet%%': '() {  /bin/echo "hello $1"\n}', 'BASH_FUNC_read%%': '() {  /bin/echo "wrapped read"\n}' };
    const shell = bash();
    const cell = contextFor('sh', 'greet you\nread', { env });
    expect((await shell.run(cell.context)).status).toBe('succeeded');
    expect(cell.output('stdout')).toBe('hello you\nwrapped read\n');
  });

  it('a cell that defines functions named like the hand-over commands still hands over its state', async () => {
    const shell = bash();
    const defined = ['printf', 'builtin', 'command', 'set', 'unset', 'exit', 'trap', 'compgen', 'mapfile', 'eval', 'read', 'env', 'true']
      .map((name) => `${name}() { return 0; }`)
      .join('\n');
    const first = contextFor('sh', `${defined}\nY=handed\ncd /tmp\nPOSIXLY_CORRECT=kept`, { env: baseEnv });
    expect((await shell.run(first.context)).status).toBe('succeeded');
    const second = contextFor('sh', '/bin/echo "$Y $PWD ${POSIXLY_CORRECT-unset}"', { env: baseEnv });
    expect((await shell.run(second.context)).status).toBe('succeeded');
    expect(second.output('stdout')).toBe('handed /tmp kept\n');
  });

  it('a cell that exits with a status keeps it, whatever it defined', async () => {
    const shell = bash();
    const cell = contextFor('sh', 'exit() { return 0; }\ncommand() { return 0; }\nbuiltin() { return 0; }\nZ=1\nfalse', { env: baseEnv });
    const result = await shell.run(cell.context);
    expect(result.status).toBe('failed');
    expect(result.exitCode).toBe(1);
  });

  it('SHELLOPTS from the environment: the cell gets it, the session does not trace its jobs (their exported values) into the cell', async () => {
    const env = { ...baseEnv, SHELLOPTS: 'xtrace', SECRET_TOKEN: 'hunter2-value' };
    const shell = bash();
    const cell = contextFor('sh', '/bin/echo "flags $-"', { env });
    expect((await shell.run(cell.context)).status).toBe('succeeded');
    expect(cell.output('stdout')).toMatch(/^flags [a-zA-Z]*x[a-zA-Z]*\n$/);
    // Job control is the session's, never the cell's (its pipelines must stay in the cell's group).
    expect(cell.output('stdout')).not.toMatch(/flags [a-zA-Z]*m/);
    expect(cell.output()).not.toContain('hunter2-value');
  });
});
