/**
 * Cells die with the CLI: kill -9 of `runbook` while a cell sleeps, and the cell's
 * processes (children and grandchildren) never write; `resume` runs the cell once.
 * Both ways a shell cell runs: the long-lived bash session and a process per cell (sh).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyTranscript } from '../src/engine/transcript.js';
import { parseLines, runCli, startCli, tempDir } from './runner-support.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function slowWriter(dir: string, info: string): { runbook: string; log: string } {
  const log = join(dir, 'writes.log');
  const runbook = join(dir, 'slow.md');
  writeFileSync(
    runbook,
    [
      '# Slow writer',
      '',
      `\`\`\`sh {name=slow-write${info}}`,
      // A grandchild in the background and the cell itself, both after a sleep.
      `(sleep 2; echo background >> '${log}') &`,
      'echo sleeping',
      'sleep 2',
      `echo foreground >> '${log}'`,
      'wait',
      '```',
      '',
    ].join('\n'),
  );
  return { runbook, log };
}

describe.each([
  ['the bash session', ''],
  ['a process per cell (sh)', ' interpreter=sh'],
])('kill -9 of runbook while a cell sleeps (%s)', (_name, info) => {
  it('never lets the cell write, and resume runs it exactly once', async () => {
    const dir = tempDir('runbook-kill-');
    const { runbook, log } = slowWriter(dir, info);
    const transcript = join(dir, 'run.jsonl');
    const run = startCli(['run', runbook, '--yes', '--json', '--transcript', transcript], { env: { RUNBOOK_DATABASE_URL: '' } });
    // The cell's processes are running once its first line of output is out.
    await run.waitFor(/"type":"cell.output".*"data":"sleeping/);
    run.child.kill('SIGKILL');
    await run.exited;
    // Well past the cell's sleep: nothing it started may still write.
    await delay(3500);
    expect(existsSync(log), existsSync(log) ? readFileSync(log, 'utf8') : '').toBe(false);

    const resumed = await runCli(['resume', transcript, '--yes'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    await delay(500);
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean).sort()).toEqual(['background', 'foreground']);
    expect(await verifyTranscript(transcript)).toMatchObject({ ok: true });
    const finished = parseLines(readFileSync(transcript, 'utf8')).filter((e) => e.type === 'cell.finished');
    expect(finished).toEqual([expect.objectContaining({ cell: 'slow-write', status: 'succeeded' })]);
  }, 60_000);
});
