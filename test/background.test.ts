/**
 * Runme's `background` cells through the real CLI: started and not waited for, output
 * recorded until they exit or the run ends, their process tree stopped and recorded at the
 * end of the run however it ends (last cell, failure, Ctrl-C, SIGHUP, kill -9 via the reaper).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellFinished, CellStarted, RunEvent } from '../src/engine/events.js';
import { verifyTranscript } from '../src/engine/transcript.js';
import { fixture, parseLines, runCli, startCli, tempDir } from './runner-support.js';

const FIXTURE = fixture('background.md');
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function groupGone(pgid: number, withinMs = 15_000): Promise<boolean> {
  for (const until = Date.now() + withinMs; Date.now() < until; await delay(100)) if (!groupAlive(pgid)) return true;
  return false;
}

const longGroup = (events: RunEvent[]) => Number(/long group (\d+)/.exec(events.filter((e) => e.type === 'cell.output').map((e) => (e as { data: string }).data).join(''))![1]);
const finishedOf = (events: RunEvent[], cell: string) => events.find((e): e is CellFinished => e.type === 'cell.finished' && e.cell === cell);

describe('background cells', () => {
  it('the run goes on; a short one is recorded with its own status when it exits, a long one is stopped at the end, no process survives, verify passes', async () => {
    const dir = tempDir('runbook-background-');
    const transcript = join(dir, 't.jsonl');
    const result = await runCli(['run', FIXTURE, '--yes', '--transcript', transcript]);
    expect(result.code, result.stderr).toBe(0);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    const started = events.filter((e): e is CellStarted => e.type === 'cell.started');
    expect(started.map((e) => [e.cell, e.background ?? false])).toEqual([['setup', false], ['short', true], ['long', true], ['meanwhile', false]]);
    // Its own process, started from what the shared session carries (exports, cd).
    expect(events.some((e) => e.type === 'cell.output' && e.cell === 'short' && (e as { data: string }).data === 'session: carried in /\n')).toBe(true);
    const index = (match: (e: RunEvent) => boolean) => events.findIndex(match);
    // Not waited for: the next cells started before the short one finished, which is while meanwhile ran.
    expect(index((e) => e.type === 'cell.started' && e.cell === 'meanwhile')).toBeLessThan(index((e) => e.type === 'cell.finished' && e.cell === 'short'));
    expect(index((e) => e.type === 'cell.finished' && e.cell === 'short')).toBeLessThan(index((e) => e.type === 'cell.finished' && e.cell === 'meanwhile'));
    expect(events.some((e) => e.type === 'cell.output' && e.cell === 'short' && (e as { data: string }).data === 'done\n')).toBe(true);
    expect(finishedOf(events, 'short')).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(finishedOf(events, 'long')).toMatchObject({ status: 'cancelled', reason: 'background: stopped at the end of the run' });
    // Its end comes before the run's, and the run still succeeded.
    expect(events.at(-2)).toMatchObject({ type: 'cell.finished', cell: 'long' });
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded' });
    // Gone with the CLI (a killed member may linger a moment as a zombie until init reaps it).
    expect(await groupGone(longGroup(events), 5000)).toBe(true);
    expect(await verifyTranscript(transcript)).toMatchObject({ ok: true });
    expect(result.stdout).toContain('⊘ [long] cancelled after');
    expect(result.stdout).toContain('(background: stopped at the end of the run)');
  });

  it('a failing foreground cell stops the run; the background cell is stopped and recorded, exit 1', async () => {
    const transcript = join(tempDir('runbook-background-'), 't.jsonl');
    const result = await runCli(['run', FIXTURE, '--yes', '--transcript', transcript], { env: { MEANWHILE_EXIT: '3', MEANWHILE_SECONDS: '0.3' } });
    expect(result.code).toBe(1);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(finishedOf(events, 'meanwhile')).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(finishedOf(events, 'long')).toMatchObject({ status: 'cancelled', reason: 'background: stopped at the end of the run' });
    expect(finishedOf(events, 'short')?.status).toBe('cancelled');
    expect(await groupGone(longGroup(events))).toBe(true);
  });

  it.each(['SIGINT', 'SIGHUP'] as const)('%s mid-run: the background tree is stopped and recorded, the run is aborted', async (signal) => {
    const transcript = join(tempDir('runbook-background-'), 't.jsonl');
    const run = startCli(['run', FIXTURE, '--yes', '--json', '--transcript', transcript], { env: { MEANWHILE_SECONDS: '60' } });
    await run.waitFor(/meanwhile started/);
    await run.waitFor(/long group \d+/);
    run.child.kill(signal);
    const { code } = await run.exited;
    expect(code).toBe(signal === 'SIGINT' ? 130 : 129);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(finishedOf(events, 'long')).toMatchObject({ status: 'cancelled', reason: 'background: stopped at the end of the run' });
    expect(finishedOf(events, 'meanwhile')?.status).toBe('cancelled');
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'aborted' });
    expect(await groupGone(longGroup(events))).toBe(true);
    expect(await verifyTranscript(transcript)).toMatchObject({ ok: true });
  });

  it('kill -9 of the CLI: the reaper ends the background group', async () => {
    const transcript = join(tempDir('runbook-background-'), 't.jsonl');
    const run = startCli(['run', FIXTURE, '--yes', '--json', '--transcript', transcript], { env: { MEANWHILE_SECONDS: '60' } });
    await run.waitFor(/long group \d+/);
    const pgid = Number(/long group (\d+)/.exec(run.stdout())![1]);
    expect(groupAlive(pgid)).toBe(true);
    run.child.kill('SIGKILL');
    await run.exited;
    expect(await groupGone(pgid)).toBe(true);
    expect(await verifyTranscript(transcript)).toMatchObject({ ok: true });
  });
});
