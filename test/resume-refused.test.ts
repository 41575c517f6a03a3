/**
 * A refused `runbook resume` changes nothing: the transcript keeps every byte (its torn
 * tail included), no lock is left, no sandbox is started. Each refusal is one line, exit 2.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixture, runCli, startCli, tempDir } from './runner-support.js';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
/** The tail a kill mid-write leaves: part of a line, no newline. */
const TORN = '{"v":1,"seq":999,"ts":"2026-';

let dir: string;
let runbook: string;
/** An interrupted run: resumable, with a torn last line that a real resume would cut. */
let interrupted: string;
let finished: string;

beforeAll(async () => {
  dir = tempDir('runbook-resume-refused-');
  runbook = join(dir, 'book.md');
  copyFileSync(fixture('resume-vars.md'), runbook);
  const env = { MARK_FILE: join(dir, 'mark'), RUNBOOK_DATABASE_URL: '' };
  interrupted = join(dir, 'interrupted.jsonl');
  const run = startCli(['run', runbook, '--yes', '--var', 'GOOD_SHA=abc1234', '--var', 'DEPLOY_TOKEN=t', '--transcript', interrupted], { env });
  await run.waitFor(/waiting/);
  run.child.kill('SIGINT');
  expect((await run.exited).code).toBe(130);
  appendFileSync(interrupted, TORN);
  finished = join(dir, 'finished.jsonl');
  const done = await runCli(['run', runbook, '--yes', '--var', 'GOOD_SHA=abc1234', '--var', 'DEPLOY_TOKEN=t', '--transcript', finished], { env });
  expect(done.code, done.stderr).toBe(0);
  appendFileSync(finished, TORN);
}, 120_000);

async function refusedResume(transcript: string, args: string[], setup?: () => void, undo?: () => void) {
  const before = sha256(transcript);
  const sandboxDir = join(tempDir('runbook-no-sandbox-'), 'sandbox');
  setup?.();
  try {
    const result = await runCli(['resume', transcript, '--yes', '--var', 'DEPLOY_TOKEN=t', ...args], {
      env: { MARK_FILE: join(dir, 'mark'), RUNBOOK_DATABASE_URL: '', RUNBOOK_SANDBOX_DIR: sandboxDir },
    });
    expect(result.code, result.stdout).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(sha256(transcript)).toBe(before);
    expect(readFileSync(transcript, 'utf8').endsWith(TORN)).toBe(true);
    expect(existsSync(sandboxDir), 'no sandbox was started').toBe(false);
    return result.stderr;
  } finally {
    undo?.();
  }
}

describe('a refused resume leaves the transcript byte for byte as it was', () => {
  it('another target (--db sandbox for a run that had none): refused before the sandbox starts', async () => {
    expect(await refusedResume(interrupted, ['--db', 'sandbox'])).toMatch(/started against none .*pass the same --db/);
    expect(await refusedResume(interrupted, ['--db', 'postgres://u:pw@db.example.com/prod'])).toMatch(/pass the same --db/);
  }, 60_000);

  it('a changed runbook', async () => {
    const original = readFileSync(runbook);
    const stderr = await refusedResume(interrupted, [], () => appendFileSync(runbook, '\n<!-- edited -->\n'), () => writeFileSync(runbook, original));
    expect(stderr).toMatch(/changed since run .*sha256 differs/);
  }, 60_000);

  it('a run that already finished', async () => {
    expect(await refusedResume(finished, [])).toMatch(/already finished \(succeeded\)/);
  }, 60_000);

  it('a transcript another live process is writing', async () => {
    const lock = `${interrupted}.lock`;
    // This test process is alive on this host: the lock is held.
    const stderr = await refusedResume(interrupted, [], () => writeFileSync(lock, `${process.pid}\n${hostname()}\n`));
    expect(stderr).toMatch(/is in use by process/);
    expect(readFileSync(lock, 'utf8')).toBe(`${process.pid}\n${hostname()}\n`);
  }, 60_000);

  it('a malformed --var, before the transcript is opened', async () => {
    rmLock();
    expect(await refusedResume(interrupted, ['--var', 'novalue'])).toMatch(/expected NAME=VALUE/);
  }, 60_000);

  it('and an accepted resume then cuts the torn tail and finishes the run', async () => {
    rmLock();
    const result = await runCli(['resume', interrupted, '--yes', '--var', 'DEPLOY_TOKEN=t'], { env: { MARK_FILE: join(dir, 'mark'), RUNBOOK_DATABASE_URL: '' } });
    expect(result.code, result.stderr).toBe(0);
    const text = readFileSync(interrupted, 'utf8');
    expect(text).not.toContain(TORN);
    expect(readdirSync(dir).filter((name) => name.endsWith('.lock'))).toEqual([]);
  }, 60_000);
});

function rmLock(): void {
  const lock = `${interrupted}.lock`;
  if (existsSync(lock)) writeFileSync(lock, ''); // an unreadable lock is stale and taken over
}
