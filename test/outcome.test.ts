/**
 * How a run ends, and how a write was authorised, read from the transcripts of real runs
 * (real bash, a real PostgreSQL, the built CLI); the console operator is a script.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../src/engine/parse.js';
import { Runner, type RunnerOptions } from '../src/engine/runner.js';
import { TranscriptWriter } from '../src/engine/transcript.js';
import { createPlainRenderer } from '../src/renderers/plain.js';
import { freshDatabase } from './support/database.js';
import { collector, noTarget, parseLines, postgresTarget, runCli, runEach, scriptedOperator, tempDir } from './runner-support.js';
import type { OperatorDecision, RunEvent, RunFinished } from '../src/engine/events.js';

const NO_PWSH = { ...process.env, PATH: '/usr/bin:/bin' };

const SEVEN = `# Seven

## Checks

\`\`\`powershell {name=ps-1}
Write-Output 1
\`\`\`

\`\`\`sh {name=first}
echo first
\`\`\`

\`\`\`powershell {name=ps-2}
Write-Output 2
\`\`\`

\`\`\`sh {name=slow}
sleep 30
\`\`\`

\`\`\`powershell {name=ps-3}
Write-Output 3
\`\`\`

\`\`\`pwsh {name=ps-4}
Write-Output 4
\`\`\`

\`\`\`sh {name=last}
echo last
\`\`\`
`;

function options(overrides: Partial<RunnerOptions> & Pick<RunnerOptions, 'runbook' | 'operator'>): RunnerOptions {
  return { target: noTarget, mode: 'interactive', variables: [], actor: 'tester', argv: [], env: NO_PWSH, ...overrides };
}

const finishedOf = (events: RunEvent[]) => events.find((e): e is RunFinished => e.type === 'run.finished');

describe('run.finished does not overstate', () => {
  it('a run where 4 cells had no pwsh and 1 was cancelled is incomplete (exit 3), with notRun and the plain summary', async () => {
    const runbook = parseRunbook(SEVEN, 'seven.md');
    const path = join(tempDir(), 'seven.jsonl');
    const transcript = TranscriptWriter.open(path);
    let printed = '';
    const seen = collector();
    const runner = new Runner(options({ runbook, operator: scriptedOperator(runEach), transcript, sinks: [seen.sink, createPlainRenderer((t) => (printed += t))] }));
    // The operator presses cancel while `slow` sleeps, then moves on.
    runner.subscribe((event) => {
      if (event.type === 'cell.started' && event.cell === 'slow') setTimeout(() => runner.cancelCurrent(), 200);
    });
    const summary = await runner.run();
    transcript.close();

    expect(summary.outcome).toBe('incomplete');
    const finished = finishedOf(parseLines(readFileSync(path, 'utf8')));
    expect(finished).toMatchObject({ status: 'incomplete', selected: 7, counts: { succeeded: 2, skipped: 4, cancelled: 1 } });
    expect(finished?.notRun).toEqual([
      { cell: 'ps-1', reason: 'pwsh not found' },
      { cell: 'ps-2', reason: 'pwsh not found' },
      { cell: 'slow', reason: 'cancelled' },
      { cell: 'ps-3', reason: 'pwsh not found' },
      { cell: 'ps-4', reason: 'pwsh not found' },
    ]);
    expect(printed).toContain('Run incomplete in');
    expect(printed).toContain('5 of 7 cells did not run: pwsh not found (4), cancelled (1)\n');
  }, 60_000);

  it('a cancelled cell the operator retried to success leaves the run succeeded', async () => {
    const runbook = parseRunbook('# R\n\n## S\n\n```sh {name=flaky}\nif [ -e "$MARK" ]; then echo ok; else touch "$MARK"; sleep 30; fi\n```\n', 'r.md');
    const mark = join(tempDir(), 'mark');
    const seen = collector();
    const decide = (c: { attempts: number; lastStatus?: string }) => (c.attempts === 0 ? { action: 'run' as const } : c.lastStatus === 'cancelled' ? { action: 'retry' as const } : { action: 'next' as const });
    const runner = new Runner(options({ runbook, operator: scriptedOperator(decide), sinks: [seen.sink], env: { ...NO_PWSH, MARK: mark } }));
    runner.subscribe((event) => {
      if (event.type === 'cell.started' && event.attempt === 1) setTimeout(() => runner.cancelCurrent(), 300);
    });
    const summary = await runner.run();
    expect(summary).toMatchObject({ status: 'succeeded', outcome: 'ok', notRun: [] });
    expect(finishedOf(seen.events)?.notRun).toBeUndefined();
  }, 60_000);

  it('skips by the operator and by the runbook (skip attribute) leave the run succeeded, exit 0', async () => {
    const runbook = parseRunbook('# R\n\n## S\n\n```sh {name=a}\necho a\n```\n\n```sh {name=b skip}\necho b\n```\n\n```sh {name=c}\necho c\n```\n', 'r.md');
    const seen = collector();
    const runner = new Runner(options({ runbook, operator: scriptedOperator((c) => (c.cell.id === 'c' ? { action: 'skip' } : runEach(c))), sinks: [seen.sink] }));
    expect(await runner.run()).toMatchObject({ status: 'succeeded', outcome: 'ok' });
    expect(finishedOf(seen.events)).toMatchObject({ status: 'succeeded', selected: 3, counts: { succeeded: 1, skipped: 2 } });
  });

  it('an unattended run that stops at a failed cell names the cells it never reached', async () => {
    const dir = tempDir();
    const file = join(dir, 'stop.md');
    writeFileSync(file, '# S\n\n## S\n\n```sh {name=ok}\necho ok\n```\n\n```sh {name=bad}\nexit 4\n```\n\n```sh {name=never}\necho never\n```\n');
    const result = await runCli(['run', file, '--yes', '--transcript', join(dir, 't.jsonl')]);
    expect(result.code).toBe(1);
    const finished = finishedOf(parseLines(readFileSync(join(dir, 't.jsonl'), 'utf8')));
    expect(finished).toMatchObject({ status: 'failed', notRun: [{ cell: 'never', reason: 'not reached: the run stopped after bad failed' }] });
    expect(result.stdout).toContain('1 of 3 cells did not run: not reached: the run stopped after bad failed (1)');
  });
});

const WRITE = `---
title: Writes
---

# Writes

## Fix

\`\`\`sql {name=release}
CREATE TABLE IF NOT EXISTS jobs (id int);
INSERT INTO jobs VALUES (1);
\`\`\`
`;

describe('authorisation is recorded as what it was', () => {
  it('--allow-writes is an allow-write decision by the actor who ran the command, with the flag; the timeline says nobody typed', async () => {
    const db = await freshDatabase('allow');
    const dir = tempDir();
    const file = join(dir, 'writes.md');
    writeFileSync(file, WRITE);
    const transcript = join(dir, 'w.jsonl');
    const result = await runCli(['run', file, '--yes', '--allow-writes', '--actor', 'oncall-alice', '--db', db, '--transcript', transcript]);
    expect(result.code, result.stderr).toBe(0);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    const decisions = events.filter((e): e is OperatorDecision => e.type === 'operator.decision' && e.action !== 'run');
    expect(decisions).toEqual([expect.objectContaining({ cell: 'release', action: 'allow-write', flag: '--allow-writes', actor: 'oncall-alice' })]);
    expect(decisions[0]).not.toHaveProperty('by');
    expect(result.stdout).toContain('write in [release] allowed by --allow-writes (run by oncall-alice; nobody confirmed it at the keyboard)');

    const md = await runCli(['timeline', transcript]);
    expect(md.stdout).toContain('write allowed by flag');
    expect(md.stdout).not.toContain('typed the target name');
    const json = JSON.parse((await runCli(['timeline', transcript, '--format', 'json'])).stdout) as { type: string; details: Record<string, unknown> }[];
    expect(json.find((e) => e.details.action === 'allow-write')?.details).toMatchObject({ flag: '--allow-writes' });
  });

  it('a typed confirmation in the console stays confirm, by typed', async () => {
    const db = await freshDatabase('typed');
    const runbook = parseRunbook(WRITE, 'writes.md');
    const seen = collector();
    const runner = new Runner(options({ runbook, operator: scriptedOperator(runEach, { confirm: () => true }), target: postgresTarget(db), sinks: [seen.sink] }));
    expect(await runner.run()).toMatchObject({ status: 'succeeded' });
    expect(seen.of('operator.decision').filter((d) => d.action !== 'run')).toEqual([expect.objectContaining({ action: 'confirm', by: 'typed', actor: 'tester' })]);
  });
});
