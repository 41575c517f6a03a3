/** `runbook resume` after an interrupt: values come back from the transcript, secrets must be given again. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyTranscript } from '../src/engine/transcript.js';
import { fixture, parseLines, runCli, startCli, tempDir } from './runner-support.js';
import type { CellFinished } from '../src/engine/events.js';

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
