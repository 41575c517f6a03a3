/**
 * A resumed run answers for the whole run, the earlier attempt's automatic skips included:
 * a cell skipped because it could not run (its interpreter missing) stays "not run" with
 * its reason in the resumed run's `run.finished.notRun`, so the run is `incomplete`, not
 * `succeeded`. An operator's skip is a choice and stays out of it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLines, runCli, startCli, tempDir } from './runner-support.js';

describe('resume carries the reasons of automatic skips', () => {
  it('the resumed run.finished lists the cell whose interpreter was missing, with its reason, and exits 3', async () => {
    const dir = tempDir('runbook-resume-notrun-');
    const book = join(dir, 'book.md');
    writeFileSync(
      book,
      ['# Book', '', '```sh {name=needs-zsh interpreter=no-such-shell-xyz}', 'echo never', '```', '', '```sh {name=slow}', 'echo started', 'sleep 3', '```', ''].join('\n'),
    );
    const transcript = join(dir, 'run.jsonl');
    const env = { RUNBOOK_DATABASE_URL: '' };
    const run = startCli(['run', book, '--yes', '--json', '--transcript', transcript], { env });
    await run.waitFor(/"type":"cell.output".*"data":"started/);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(130);
    const first = parseLines(readFileSync(transcript, 'utf8'));
    const skipped = first.find((e) => e.type === 'cell.finished' && e.cell === 'needs-zsh');
    expect(skipped).toMatchObject({ status: 'skipped', unavailable: true, reason: expect.stringContaining('no-such-shell-xyz') });

    const resumed = await runCli(['resume', transcript, '--yes'], { cwd: dir, env });
    expect(resumed.code, resumed.stderr).toBe(3);
    const finished = parseLines(readFileSync(transcript, 'utf8')).filter((e) => e.type === 'run.finished').at(-1);
    expect(finished).toMatchObject({ status: 'incomplete', notRun: [{ cell: 'needs-zsh', reason: (skipped as { reason: string }).reason }] });
    expect((await runCli(['verify', transcript], { cwd: dir })).code).toBe(0);
  }, 60_000);
});
