/**
 * `cell.started` names the cell's process group, and `resume` refuses to start a cell
 * whose earlier attempt still runs. Here the cell outlives the CLI the hard way: kill -9
 * of its reaper, then of the CLI, so nothing ends the cell's group. Resume names the
 * live processes, exit 2, the transcript untouched; once the orphan is gone, resume runs
 * the cell exactly once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveMembers } from '../src/engine/process/group-identity.js';
import { parseLines, runCli, startCli, tempDir } from './runner-support.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The CLI's reaper: its child whose argv names it. */
function reaperOf(cli: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === cli && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('runbook-reaper')) return Number(entry);
    } catch {
      // Gone while we looked.
    }
  }
  return undefined;
}

describe.skipIf(process.platform !== 'linux')('resume and an earlier attempt that still runs', () => {
  it.each([
    ['the bash session', ''],
    ['a process per cell (sh)', ' interpreter=sh'],
  ])('%s: refused while it runs, naming its processes; once it ends, resume runs the cell once', async (_name, info) => {
    const dir = tempDir('runbook-orphan-');
    const log = join(dir, 'writes.log');
    const book = join(dir, 'orphan.md');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(book, ['# Orphan', '', `\`\`\`sh {name=slow-write${info}}`, 'echo started', 'sleep 8', `echo once >> '${log}'`, '```', ''].join('\n'));
    const transcript = join(dir, 'run.jsonl');
    const run = startCli(['run', book, '--yes', '--json', '--transcript', transcript], { env: { RUNBOOK_DATABASE_URL: '' } });
    await run.waitFor(/"type":"cell.output".*"data":"started/);
    const reaper = reaperOf(run.child.pid as number);
    expect(reaper, 'the CLI has a reaper').toBeDefined();
    process.kill(reaper as number, 'SIGKILL');
    run.child.kill('SIGKILL');
    await run.exited;

    const started = parseLines(readFileSync(transcript, 'utf8')).find((e) => e.type === 'cell.started');
    expect(started).toMatchObject({ cell: 'slow-write', attempt: 1, pgid: expect.any(Number), leaderStart: expect.stringMatching(/:\d+$/) });
    const group = { pgid: started!.pgid as number, leaderStart: started!.leaderStart as string };
    try {
      expect(liveMembers(group).length, 'the orphan survived the CLI').toBeGreaterThan(0);
      const before = readFileSync(transcript);
      const refused = await runCli(['resume', transcript, '--yes'], { cwd: dir, env: { RUNBOOK_DATABASE_URL: '' } });
      expect(refused.code, refused.stderr).toBe(2);
      const lines = refused.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^runbook: cell slow-write \\(attempt 1\\) is still running from before, in process group ${group.pgid}: pid \\d+ \\(.*\\).*pid \\d+ \\(sleep 8\\)`));
      expect(lines[0]).toContain(`runbook resume ${transcript}`);
      expect(readFileSync(transcript).equals(before), 'a refused resume changed the transcript').toBe(true);

      // The orphan ends on its own (it writes once); then resume runs the cell, once.
      for (let waited = 0; liveMembers(group).length > 0 && waited < 20_000; waited += 100) await delay(100);
      expect(liveMembers(group)).toEqual([]);
      expect(readFileSync(log, 'utf8')).toBe('once\n');
      const resumed = await runCli(['resume', transcript, '--yes'], { cwd: dir, env: { RUNBOOK_DATABASE_URL: '' } });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(readFileSync(log, 'utf8')).toBe('once\nonce\n');
      const events = parseLines(readFileSync(transcript, 'utf8'));
      expect(events.filter((e) => e.type === 'cell.started').map((e) => e.attempt)).toEqual([1, 2]);
      expect(events.filter((e) => e.type === 'cell.finished')).toEqual([expect.objectContaining({ cell: 'slow-write', status: 'succeeded' })]);
      expect((await runCli(['verify', transcript], { cwd: dir })).code).toBe(0);
    } finally {
      try {
        process.kill(-group.pgid, 'SIGKILL');
      } catch {
        // Gone, as it should be.
      }
    }
  }, 90_000);
});
