/** `runbook run` end to end: the built CLI, a real PostgreSQL, real bash. */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyTranscript } from '../src/engine/transcript.js';
import { databaseUrl, freshDatabase, query } from './support/database.js';
import { fixture, parseLines, runCli, tempDir } from './runner-support.js';
import type { CellFinished, RunEvent } from '../src/engine/events.js';

const finishedOf = (events: RunEvent[]) =>
  Object.fromEntries(events.filter((e): e is CellFinished => e.type === 'cell.finished').map((e) => [e.cell, e.status]));

describe('runbook run --yes', () => {
  it('runs SQL and sh cells, records results, stops at the failure with exit 1, and leaves a verifiable transcript', async () => {
    const db = await freshDatabase('cli');
    const transcript = join(tempDir(), 'ops.jsonl');
    const result = await runCli(['run', fixture('ops-drill.md'), '--yes', '--allow-writes', '--db', db, '--transcript', transcript]);
    expect(result.code, result.stderr).toBe(1);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    // broken fails and, without --keep-going, `after` never runs.
    expect(finishedOf(events)).toEqual({ setup: 'succeeded', 'count-stuck': 'succeeded', 'set-marker': 'succeeded', 'read-marker': 'succeeded', broken: 'failed' });
    const results = events.filter((e) => e.type === 'sql.result');
    expect(results.map((r) => [r.cell, r.index, r.command])).toEqual([
      ['setup', 1, 'CREATE'], ['setup', 2, 'CREATE'], ['setup', 3, 'INSERT'], ['count-stuck', 1, 'SELECT'],
    ]);
    expect(results[2]).toMatchObject({ rowCount: 3 });
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'failed', counts: { succeeded: 4, failed: 1 } });
    expect(events[0]).toMatchObject({ type: 'run.started', mode: 'unattended', target: { kind: 'postgres' } });
    expect(await verifyTranscript(transcript)).toMatchObject({ ok: true, events: events.length });
    // The transcript path is printed at start and end; the plain renderer shows the work.
    expect(result.stdout.split('\n').filter((l) => l === `transcript: ${transcript}`)).toHaveLength(2);
    expect(result.stdout).toContain('marker=set-in-one-cell');
    expect(result.stdout).toMatch(/no_such_table/);
    expect(await query(db, 'SELECT count(*)::int AS n FROM ops.jobs')).toEqual([{ n: 3 }]);
  });

  it('--keep-going runs past the failure; the next cell sees a working connection', async () => {
    const db = await freshDatabase('cli');
    const transcript = join(tempDir(), 'ops.jsonl');
    const result = await runCli(['run', fixture('ops-drill.md'), '--yes', '--allow-writes', '--keep-going', '--db', db, '--transcript', transcript]);
    expect(result.code).toBe(1);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(finishedOf(events)).toMatchObject({ broken: 'failed', after: 'succeeded' });
    expect(events.find((e) => e.type === 'sql.result' && e.cell === 'after')).toMatchObject({ rows: [['3']] });
  });

  it('--json prints the transcript events as NDJSON on stdout and the transcript path on stderr', async () => {
    const transcript = join(tempDir(), 'tolerant.jsonl');
    const result = await runCli(['run', fixture('tolerant.md'), '--yes', '--json', '--transcript', transcript]);
    const streamed = parseLines(result.stdout);
    const stored = parseLines(readFileSync(transcript, 'utf8'));
    // The same objects, hash included, so a consumer of stdout can check the chain too.
    expect(streamed).toEqual(stored);
    expect(streamed.every((e) => typeof e.hash === 'string' && e.hash.length === 64)).toBe(true);
    expect(result.stderr).toContain(`transcript: ${transcript}`);
  });

  it('stops at a failed cell unless it says continueOnError; --keep-going goes on', async () => {
    const stop = join(tempDir(), 'a.jsonl');
    expect((await runCli(['run', fixture('tolerant.md'), '--yes', '--transcript', stop])).code).toBe(1);
    expect(finishedOf(parseLines(readFileSync(stop, 'utf8')))).toEqual({ first: 'succeeded', 'allowed-to-fail': 'failed', 'hard-fail': 'failed' });
    const go = join(tempDir(), 'b.jsonl');
    expect((await runCli(['run', fixture('tolerant.md'), '--yes', '--keep-going', '--transcript', go])).code).toBe(1);
    expect(finishedOf(parseLines(readFileSync(go, 'utf8')))).toEqual({ first: 'succeeded', 'allowed-to-fail': 'failed', 'hard-fail': 'failed', last: 'succeeded' });
  });

  it('--only and --from choose the cells', async () => {
    const only = join(tempDir(), 'only.jsonl');
    expect((await runCli(['run', fixture('tolerant.md'), '--yes', '--only', 'last,first', '--transcript', only])).code).toBe(0);
    expect(finishedOf(parseLines(readFileSync(only, 'utf8')))).toEqual({ first: 'succeeded', last: 'succeeded' });
    const from = join(tempDir(), 'from.jsonl');
    expect((await runCli(['run', fixture('tolerant.md'), '--yes', '--from', 'last', '--transcript', from])).code).toBe(0);
    expect(Object.keys(finishedOf(parseLines(readFileSync(from, 'utf8'))))).toEqual(['last']);
    const bad = await runCli(['run', fixture('tolerant.md'), '--yes', '--only', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/no cell named "nope"/)]);
  });

  it('--dry-run shows every cell with its values bound and executes nothing', async () => {
    const dir = tempDir();
    const out = join(dir, 'deployed.txt');
    const transcript = join(dir, 'dry.jsonl');
    // An unreachable --db: a dry run resolves the target but never connects.
    const db = 'postgres://ops:pw@127.0.0.1:1/prod';
    const result = await runCli(['run', fixture('placeholders.md'), '--dry-run', '--db', db, '--var', 'GOOD_SHA=abc1234', '--transcript', transcript], { env: { OUT_FILE: out } });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(out)).toBe(false);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(events[0]).toMatchObject({ mode: 'dry-run' });
    expect(events.filter((e) => e.type === 'cell.finished').map((e) => [e.cell, e.status, e.reason])).toEqual([
      ['deploy', 'skipped', 'dry run'], ['rollback', 'skipped', 'dry run'],
    ]);
    expect(events.find((e) => e.type === 'cell.started' && e.cell === 'deploy')).toMatchObject({ source: expect.stringContaining('GOOD_SHA') });
    expect(result.stdout).toContain('deploy');
  });

  it('--dry-run against the sandbox names it and does not start it', async () => {
    const dir = tempDir();
    const sandboxDir = join(dir, 'sandbox');
    const transcript = join(dir, 'dry.jsonl');
    const result = await runCli(['run', fixture('ops-drill.md'), '--dry-run', '--transcript', transcript], { env: { RUNBOOK_SANDBOX_DIR: sandboxDir, RUNBOOK_DATABASE_URL: '' } });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(sandboxDir)).toBe(false);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(events[0]).toMatchObject({ mode: 'dry-run', target: { kind: 'sandbox', url: 'sandbox (not started: dry run)' } });
    expect(events.filter((e) => e.type === 'cell.finished').every((e) => e.status === 'skipped' && e.reason === 'dry run')).toBe(true);
  });

  it('refuses a run with a missing placeholder value: exit 2, the names listed, nothing run', async () => {
    const dir = tempDir();
    const out = join(dir, 'deployed.txt');
    const transcript = join(dir, 'missing.jsonl');
    const result = await runCli(['run', fixture('placeholders.md'), '--yes', '--allow-writes', '--db', databaseUrl(), '--transcript', transcript], { env: { OUT_FILE: out, GOOD_SHA: '', timestamp: '' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no value for <GOOD_SHA>.*--var GOOD_SHA=/);
    expect(result.stderr).toMatch(/no value for <timestamp>/);
    expect(existsSync(out)).toBe(false);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(events.some((e) => e.type === 'cell.started')).toBe(false);
    expect(events.find((e) => e.type === 'run.preflight')).toMatchObject({ problems: [expect.objectContaining({ kind: 'missing-variable', fatal: true }), expect.objectContaining({ kind: 'missing-variable' })] });
  });

  it('refuses unattended writes against a non-sandbox --db without --allow-writes, before the first cell', async () => {
    const db = await freshDatabase('cli');
    const transcript = join(tempDir(), 'refused.jsonl');
    const result = await runCli(['run', fixture('ops-drill.md'), '--yes', '--db', db, '--transcript', transcript]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/write cell\(s\) against .* refused without --allow-writes: setup, set-marker, read-marker/);
    expect(parseLines(readFileSync(transcript, 'utf8')).some((e) => e.type === 'cell.started')).toBe(false);
    expect(await query(db, "SELECT to_regnamespace('ops') AS ops")).toEqual([{ ops: null }]);
  });

  it('with --strict, a database that does not answer is one clear line and exit 2, with the password masked', async () => {
    const result = await runCli(['run', fixture('ops-drill.md'), '--yes', '--strict', '--allow-writes', '--db', 'postgres://ops:s3cret-pw@127.0.0.1:1/prod', '--transcript', join(tempDir(), 'x.jsonl')]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^runbook: cannot connect to postgres:\/\/ops:\*+@127\.0\.0\.1:1\/prod: connection refused/)]);
    expect(result.stdout + result.stderr).not.toContain('s3cret-pw');
  });

  it('asks an unreachable database once: the catalogue lookup and the reachability check share one connection attempt', async () => {
    // A server that takes each connection and hangs up at once: pg fails fast, and every attempt is counted.
    let attempts = 0;
    const server = createServer((socket) => {
      attempts += 1;
      socket.destroy();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const { port } = server.address() as AddressInfo;
      const result = await runCli(['run', fixture('ops-drill.md'), '--yes', '--strict', '--allow-writes', '--db', `postgres://ops:pw@127.0.0.1:${port}/prod`, '--transcript', join(tempDir(), 'x.jsonl')]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^runbook: cannot connect to postgres:\/\/ops:\*+@127\.0\.0\.1:\d+\/prod: /)]);
      expect(attempts).toBe(1);
    } finally {
      server.close();
    }
  });

  it('skips cells whose interpreter is missing, with the reason, and calls the run incomplete (exit 3); --strict refuses the run', async () => {
    const dir = tempDir();
    const skip = await runCli(['run', fixture('pwsh-cells.md'), '--yes', '--transcript', join(dir, 'a.jsonl')], { env: { PATH: '/usr/bin:/bin' } });
    expect(skip.code, skip.stderr).toBe(3);
    const events = parseLines(readFileSync(join(dir, 'a.jsonl'), 'utf8'));
    expect(events.filter((e) => e.type === 'cell.finished').map((e) => [e.cell, e.status, e.reason ?? ''])).toEqual([
      ['sh-before', 'succeeded', ''], ['ps-step', 'skipped', 'pwsh not found'], ['sh-after', 'succeeded', ''],
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'incomplete', selected: 3, notRun: [{ cell: 'ps-step', reason: 'pwsh not found' }] });
    expect(skip.stdout).toContain('1 of 3 cells did not run: pwsh not found (1)\n');
    const strict = await runCli(['run', fixture('pwsh-cells.md'), '--yes', '--strict', '--transcript', join(dir, 'b.jsonl')], { env: { PATH: '/usr/bin:/bin' } });
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/pwsh is not on PATH; cannot run ps-step/);
  });

  it('names the default transcript after the run id, so file name and run id tell the same time', async () => {
    const cwd = tempDir();
    const result = await runCli(['run', fixture('tolerant.md'), '--yes'], { cwd });
    const path = /transcript: (\S+)/.exec(result.stdout)?.[1] ?? '';
    const run = parseLines(readFileSync(join(cwd, path), 'utf8'))[0]?.run ?? 'none';
    expect(path).toBe(join('transcripts', `tolerant-${run}.jsonl`));
    expect(run).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
  });

  it('without --yes and without a terminal: one line, exit 2', async () => {
    const result = await runCli(['run', fixture('tolerant.md')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('runbook: no terminal for the interactive console; use --yes for an unattended run or run it in a terminal\n');
    expect(result.stdout).toBe('');
  });
});
