/** `runbook resume` after an interrupt: values come back from the transcript, secrets must be given again. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunbookFile } from '../src/engine/parse.js';
import { Runner } from '../src/engine/runner.js';
import { TranscriptWriter, verifyTranscript } from '../src/engine/transcript.js';
import { fixture, noTarget, parseLines, runCli, scriptedOperator, startCli, tempDir } from './runner-support.js';
import type { CellFinished } from '../src/engine/events.js';
import type { Decision, DecisionContext } from '../src/engine/operator.js';

describe('runbook resume', () => {
  it('continues an interrupted run with its values; the secret is asked again and never stored', async () => {
    const dir = tempDir();
    const transcript = join(dir, 'r.jsonl');
    const env = { MARK_FILE: join(dir, 'mark'), GOOD_SHA: '', DEPLOY_TOKEN: '' };
    const token = 'tok-resume-5150';
    const run = startCli(['run', fixture('resume-vars.md'), '--yes', '--var', 'GOOD_SHA=abc1234', '--var', `DEPLOY_TOKEN=${token}`, '--transcript', transcript], { env });
    await run.waitFor(/waiting/);
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(130);

    // Without the secret: refused in preflight, nothing run, and the run stays resumable.
    const refused = await runCli(['resume', transcript, '--yes'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/no value for <DEPLOY_TOKEN>/);

    const resumed = await runCli(['resume', transcript, '--yes', '--var', `DEPLOY_TOKEN=${token}`], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await verifyTranscript(transcript)).toMatchObject({ ok: true });
    const text = readFileSync(transcript, 'utf8');
    expect(text).not.toContain(token);
    const events = parseLines(text);
    const finished = events.filter((e): e is CellFinished => e.type === 'cell.finished').map((e) => `${e.cell}:${e.status}`);
    expect(finished).toEqual(['r1:succeeded', 'r2:cancelled', 'r2:succeeded', 'r3:succeeded']);
    const output = events.filter((e) => e.type === 'cell.output' && e.cell === 'r3').map((e) => (e.type === 'cell.output' ? e.data : '')).join('');
    expect(output).toBe('sha=abc1234 token=********\n');
    expect(events.filter((e) => e.type === 'run.resumed')).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded', counts: { succeeded: 3 } });
  });

  it('refuses a file that is not a transcript in one line', async () => {
    const result = await runCli(['resume', fixture('tolerant.md'), '--yes']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/is not a runbook transcript/)]);
  });
});

describe('runbook resume after jumps', () => {
  const RUNBOOK = '# J\n\n## S\n\n```sh {name=a}\necho a\n```\n\n```sh {name=b}\necho b\n```\n\n```sh {name=c}\necho c\n```\n\n```sh {name=d}\necho d\n```\n';

  async function quitAfter(script: (context: DecisionContext, visits: number) => Decision): Promise<string> {
    const dir = tempDir();
    const file = join(dir, 'j.md');
    writeFileSync(file, RUNBOOK);
    const path = join(dir, 'j.jsonl');
    const transcript = TranscriptWriter.open(path);
    let visits = 0;
    const operator = scriptedOperator((context) => script(context, (visits += 1)));
    const runner = new Runner({ runbook: await readRunbookFile(file), operator, target: noTarget, mode: 'interactive', variables: [], actor: 'tester', argv: [], transcript });
    expect(await runner.run()).toMatchObject({ status: 'aborted' });
    transcript.close();
    return path;
  }

  const ranOnResume = async (path: string) => {
    const resumed = await runCli(['resume', path, '--yes']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const events = parseLines(readFileSync(path, 'utf8'));
    const after = events.slice(events.findIndex((e) => e.type === 'run.resumed'));
    return { ran: after.filter((e): e is CellFinished => e.type === 'cell.finished').map((e) => e.cell), events };
  };

  it('after a jump back and a rerun, continues with the first cell not yet run, never running b twice', async () => {
    // a, b run; at c the operator jumps back to a, reruns it, then quits.
    const path = await quitAfter((context, visit) => {
      if (context.cell.id === 'c' && context.attempts === 0) return { action: 'jump', to: 'a' };
      if (context.attempts === 0) return { action: 'run' };
      return visit > 5 ? { action: 'quit' } : { action: 'next' };
    });
    const { ran, events } = await ranOnResume(path);
    expect(ran).toEqual(['c', 'd']);
    expect(events.find((e) => e.type === 'run.resumed')).toMatchObject({ from: 'c' });
  });

  it('after a jump forward before anything finished, continues at the jump target, not the first cell', async () => {
    const path = await quitAfter((context) => (context.cell.id === 'a' ? { action: 'jump', to: 'c' } : { action: 'quit' }));
    const { ran } = await ranOnResume(path);
    expect(ran).toEqual(['c', 'd']);
  });
});
