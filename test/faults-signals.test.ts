/**
 * Hangups and closed pipes end runs cleanly: SIGHUP cancels the running cell (the SQL on
 * the server, the shell's process tree), records `run.finished` aborted with the reason,
 * exits 129; a closed stdout ends the run with reason "stdout closed", exit 141; no
 * command prints a stack trace into a closed pipe.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyTranscript } from '../src/engine/transcript.js';
import type { RunEvent } from '../src/engine/events.js';
import { freshDatabase, query } from './support/database.js';
import { spawnCli } from './support/pty.js';
import { CLI, fixture, parseLines, ROOT, startCli, tempDir } from './runner-support.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function writeRunbook(dir: string, name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** A shell cell that says it is running, sleeps, then writes a file. */
function sleeperRunbook(dir: string): { runbook: string; marker: string } {
  const marker = join(dir, 'written-after-hangup');
  const runbook = writeRunbook(dir, 'sleeper.md', ['# Sleeper', '', '```sh {name=sleeper}', 'echo sleeping', 'sleep 3', `echo late > '${marker}'`, '```']);
  return { runbook, marker };
}

function lastEvent(transcript: string): RunEvent | undefined {
  return parseLines(readFileSync(transcript, 'utf8')).at(-1);
}

/** `sh -c '<runbook> … | head -1'`: the runbook's exit status, its stderr, and what head printed. */
function throughHead(args: string[]): Promise<{ status: number; stderr: string; stdout: string }> {
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const errFile = join(tempDir('runbook-head-'), 'stderr');
  return new Promise((done) => {
    const child = spawn('bash', ['-c', `${quoted} 2>"$ERR" | head -1; echo "status=\${PIPESTATUS[0]}" >&2`], {
      cwd: ROOT,
      env: { ...process.env, ERR: errFile },
    });
    let stdout = '';
    let status = '';
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (status += chunk.toString()));
    child.on('exit', () => {
      done({ status: Number(/status=(\d+)/.exec(status)?.[1] ?? -1), stderr: readFileSync(errFile, 'utf8'), stdout });
    });
  });
}

describe('SIGHUP', () => {
  it('unattended, during pg_sleep(60): the query is cancelled on the server, the run is recorded as aborted (hangup), exit 129', async () => {
    const db = await freshDatabase('sighup');
    const transcript = join(tempDir(), 'hup.jsonl');
    const run = startCli(['run', fixture('sleepy.md'), '--yes', '--json', '--db', db, '--transcript', transcript]);
    await run.waitFor(/"type":"cell.started"/);
    for (let i = 0; i < 100; i += 1) {
      const active = await query<{ n: number }>(db, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%' AND state = 'active'");
      if (active[0]?.n) break;
      await delay(100);
    }
    run.child.kill('SIGHUP');
    const { code } = await run.exited;
    expect(code, run.stderr()).toBe(129);
    const left = await query<{ n: number }>(db, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%' AND state = 'active'");
    expect(left).toEqual([{ n: 0 }]);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(events.filter((e) => e.type === 'cell.finished').map((e) => [e.cell, e.status])).toEqual([['long-sleep', 'cancelled']]);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'aborted', reason: 'hangup (SIGHUP)' });
    expect(await verifyTranscript(transcript)).toMatchObject({ ok: true });
  }, 60_000);

  it('unattended, during a shell cell: its process tree is killed, so it never writes afterwards', async () => {
    const dir = tempDir();
    const { runbook, marker } = sleeperRunbook(dir);
    const transcript = join(dir, 'hup.jsonl');
    const run = startCli(['run', runbook, '--yes', '--json', '--transcript', transcript]);
    await run.waitFor(/"data":"sleeping/);
    run.child.kill('SIGHUP');
    expect((await run.exited).code, run.stderr()).toBe(129);
    await delay(4000);
    expect(existsSync(marker)).toBe(false);
    expect(lastEvent(transcript)).toMatchObject({ type: 'run.finished', status: 'aborted', reason: 'hangup (SIGHUP)' });
  }, 60_000);

  it('in the console, when the terminal closes: the cell is cancelled, the run recorded as aborted (hangup), exit 129', async () => {
    const dir = tempDir();
    const { runbook, marker } = sleeperRunbook(dir);
    const transcript = join(dir, 'console.jsonl');
    const tui = spawnCli(['run', runbook, '--transcript', transcript], { cwd: dir });
    await tui.waitFor('enter run');
    tui.write('\r');
    // The screen shows the cell's source (`echo sleeping`) already: wait for its output in the record.
    for (let i = 0; i < 300 && !(existsSync(transcript) && readFileSync(transcript, 'utf8').includes('"data":"sleeping')); i += 1) await delay(100);
    tui.hangup();
    expect(await tui.exited).toBe(129);
    await delay(4000);
    expect(existsSync(marker)).toBe(false);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(events.filter((e) => e.type === 'cell.finished').map((e) => [e.cell, e.status])).toEqual([['sleeper', 'cancelled']]);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'aborted', reason: 'hangup (SIGHUP)' });
    expect(await verifyTranscript(transcript)).toMatchObject({ ok: true });
  }, 60_000);
});

describe('a closed stdout', () => {
  it('`run --json | head -1` ends the run with reason "stdout closed", exit 141, a complete transcript and no stack trace', async () => {
    const dir = tempDir();
    const runbook = writeRunbook(dir, 'chatty.md', ['# Chatty', '', '```sh {name=chatty}', 'for i in $(seq 1 200000); do echo "line $i"; done', 'sleep 2', '```', '', '```sh {name=after}', 'echo never', '```']);
    const transcript = join(dir, 'chatty.jsonl');
    const result = await throughHead(['run', runbook, '--yes', '--json', '--transcript', transcript]);
    expect(result.status, result.stderr).toBe(141);
    expect(result.stdout).toMatch(/^\{"v":1,"seq":0,/);
    expect(result.stderr).not.toMatch(/Error|at .*\(|EPIPE/);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'aborted', reason: 'stdout closed' });
    expect(events.some((e) => e.type === 'cell.started' && e.cell === 'after')).toBe(false);
    expect(await verifyTranscript(transcript)).toMatchObject({ ok: true });
  }, 60_000);

  it.each([
    ['lint', (many: string) => ['lint', many]],
    ['list', (many: string) => ['list', many]],
    ['list --json', (many: string) => ['list', many, '--json']],
  ])('`%s | head -1` exits 141 without a stack trace', async (_name, args) => {
    const dir = tempDir();
    const cells = Array.from({ length: 3000 }, (_, i) => [`## Step ${i}`, '', `\`\`\`sh {name=step-${i} colour=blue}`, `echo ${i}`, '```', '']).flat();
    const many = writeRunbook(dir, 'many.md', ['# Many', '', ...cells]);
    const result = await throughHead(args(many));
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).not.toMatch(/Error|at .*\(|EPIPE/);
    expect(result.status, result.stderr).toBe(141);
  }, 60_000);

  it('`timeline --format cast | head -1` and `replay --speed 0 | head -1` exit 141 without a stack trace', async () => {
    const dir = tempDir();
    const runbook = writeRunbook(dir, 'lines.md', ['# Lines', '', '```sh {name=lines}', 'seq 1 20000', '```']);
    const transcript = join(dir, 'lines.jsonl');
    const run = startCli(['run', runbook, '--yes', '--transcript', transcript]);
    expect((await run.exited).code, run.stderr()).toBe(0);
    for (const args of [['timeline', transcript, '--format', 'cast'], ['replay', transcript, '--speed', '0']]) {
      const result = await throughHead(args);
      expect(result.stderr, args[0]).not.toMatch(/Error|at .*\(|EPIPE/);
      expect(result.status, `${args[0]}: ${result.stderr}`).toBe(141);
    }
  }, 60_000);
});
