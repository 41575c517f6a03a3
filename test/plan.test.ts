/** The run plan: every fact about a cell decided once, from the runbook, the selection, PATH and the target. */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../src/engine/parse.js';
import { findProgram, planRun } from '../src/engine/plan/index.js';
import { tempDir } from './runner-support.js';
import { platform } from '../src/engine/process/platform.js';

const PATH = '/usr/bin:/bin';
/**
 * These look programs up on this machine's disk with a POSIX PATH; in the `unit-win32` project
 * (platform reported as win32) that lookup is Windows' and finds nothing here, so they are
 * POSIX facts only. The Windows lookup has its own tests in test/platform-seams.test.ts.
 */
const onThisDisk = it.skipIf(platform() === 'win32');

function runbookIn(dir: string, body: string[]) {
  const path = join(dir, 'book.md');
  const text = ['# Book', '## Steps', ...body].join('\n');
  writeFileSync(path, text);
  return parseRunbook(text, path);
}

describe('planRun', () => {
  onThisDisk('resolves an interpreter with arguments to an absolute command and its own arguments', async () => {
    const dir = tempDir('runbook-plan-');
    const runbook = runbookIn(dir, ['```sh {name=traced interpreter="bash -x"}', 'echo hi', '```']);
    const [cell] = (await planRun({ runbook, env: { PATH } })).cells;
    expect(cell?.interpreter).toEqual({ named: 'bash -x', command: findProgram('bash', PATH), args: ['-x'] });
    expect(cell?.interpreter?.command).toMatch(/^\/.*\/bash$/);
    expect(cell?.willRun).toBe(true);
  });

  onThisDisk('resolves a relative interpreter against the runbook folder, not the caller working directory', async () => {
    const dir = tempDir('runbook-plan-');
    mkdirSync(join(dir, 'tools'));
    writeFileSync(join(dir, 'tools', 'mysh'), '#!/bin/sh\nexec /bin/sh "$@"\n');
    chmodSync(join(dir, 'tools', 'mysh'), 0o755);
    const runbook = runbookIn(dir, ['```sh {name=mine interpreter=./tools/mysh}', 'echo hi', '```', '```sh {name=gone interpreter=./tools/nosuch}', 'echo hi', '```']);
    expect(process.cwd()).not.toBe(dir);
    const [mine, gone] = (await planRun({ runbook, env: { PATH } })).cells;
    expect(mine).toMatchObject({ willRun: true, interpreter: { command: join(dir, 'tools', 'mysh'), args: [] }, cwd: dir, cwdFrom: 'runbook' });
    expect(gone).toMatchObject({
      willRun: false,
      interpreter: { named: './tools/nosuch', args: [], missing: `./tools/nosuch is not an executable file (relative to ${dir})` },
      whyNot: { reason: 'missing-interpreter', message: './tools/nosuch not found' },
    });
    expect(gone?.interpreter?.command).toBeUndefined();
  });

  onThisDisk('needs the values of the cells that will run, and no others', async () => {
    const dir = tempDir('runbook-plan-');
    const runbook = runbookIn(dir, [
      '```sh {name=a}', 'echo <A>', '```',
      '```powershell {name=ps}', 'Write-Output <ONLY_PS>', '```',
      '```sh {name=off skip}', 'echo <SKIPPED>', '```',
      '```sh {name=b}', 'echo <B> <A>', '```',
    ]);
    const plan = await planRun({ runbook, env: { PATH } });
    expect(plan.neededValues).toEqual(['A', 'B']);
    expect(plan.cells.map((c) => [c.id, c.willRun, c.whyNot?.reason])).toEqual([
      ['a', true, undefined], ['ps', false, 'missing-interpreter'], ['off', false, 'skip-attribute'], ['b', true, undefined],
    ]);
    const selected = await planRun({ runbook, env: { PATH }, selection: { only: ['b'] } });
    expect(selected.neededValues).toEqual(['B', 'A']);
    expect(selected.cells[0]?.whyNot).toEqual({ reason: 'not-selected', message: 'not in --only b' });
    const resumed = await planRun({ runbook, env: { PATH }, selection: { resume: { at: 'ps', after: true, finished: ['a', 'ps'] } } });
    expect(resumed.cells.map((c) => c.whyNot?.reason)).toEqual(['before-resume-point', 'before-resume-point', 'skip-attribute', undefined]);
    expect(resumed.startsAt).toBe('b');
    // A jump back to `a` and a rerun: `a` runs again, `b` (finished) does not.
    const jumpedBack = await planRun({ runbook, env: { PATH }, selection: { resume: { at: 'a', after: false, finished: ['b'] } } });
    expect(jumpedBack.cells.map((c) => c.whyNot?.reason)).toEqual([undefined, 'missing-interpreter', 'skip-attribute', 'already-run']);
    expect(jumpedBack.neededValues).toEqual(['A']);
  });

  it('a readonly SQL cell is a read with that reason; the guard follows the target the plan is given', async () => {
    const dir = tempDir('runbook-plan-');
    const runbook = runbookIn(dir, ['```sql {name=ro readonly}', 'UPDATE t SET x = 1;', '```', '```sql {name=w}', 'SELECT pg_terminate_backend(1);', '```']);
    let asked: boolean | undefined;
    const plan = await planRun({ runbook, env: { PATH }, mode: 'unattended', target: (needs) => ((asked = needs), 'postgres') });
    expect(asked).toBe(true);
    expect(plan.needsDatabase).toBe(true);
    const [ro, w] = plan.cells;
    expect(ro).toMatchObject({ effect: 'read', effectReason: 'readonly attribute', confirm: { required: false } });
    expect(w).toMatchObject({
      effect: 'write',
      effectReason: expect.stringContaining('pg_terminate_backend'),
      confirm: { required: true, because: 'write against postgres', unattended: 'refused' },
    });
    expect(ro?.interpreter).toBeUndefined();
    expect(ro?.cwd).toBeUndefined();
  });

  it('a cell that will not run does not make the run need a database', async () => {
    const dir = tempDir('runbook-plan-');
    const runbook = runbookIn(dir, ['```sql {name=q skip}', 'SELECT 1;', '```', '```sh {name=s}', 'echo hi', '```']);
    let asked: boolean | undefined;
    await planRun({ runbook, env: { PATH }, target: (needs) => ((asked = needs), 'none') });
    expect(asked).toBe(false);
  });

  it('an explicit cwd is resolved against the runbook folder and marked as the cell own', async () => {
    const dir = tempDir('runbook-plan-');
    const runbook = runbookIn(dir, ['```sh {name=c cwd=sub/dir}', 'pwd', '```']);
    const [cell] = (await planRun({ runbook, env: { PATH } })).cells;
    expect(cell).toMatchObject({ cwd: join(dir, 'sub', 'dir'), cwdFrom: 'attribute' });
  });

  it("says how a shell cell runs when Runme's background or interactive asks; other languages run waited for", async () => {
    const dir = tempDir('runbook-plan-');
    const runbook = runbookIn(dir, [
      '```sh {name=tail background}', 'tail -f log', '```',
      '```sh {name=ask interactive}', 'read name', '```',
      '```sh {name=both background interactive}', 'sleep 1', '```',
      '```sql {name=q background interactive}', 'SELECT 1;', '```',
      '```sh {name=plain}', 'true', '```',
    ]);
    const runs = Object.fromEntries((await planRun({ runbook, env: { PATH } })).cells.map((c) => [c.id, c.runs ?? 'waited']));
    expect(runs).toEqual({ tail: 'background', ask: 'terminal', both: 'background', q: 'waited', plain: 'waited' });
  });

  it('names an unknown cell in the selection, with the cells there are', async () => {
    const dir = tempDir('runbook-plan-');
    const runbook = runbookIn(dir, ['```sh {name=a}', 'echo', '```']);
    await expect(planRun({ runbook, selection: { from: 'nope' } })).rejects.toThrow(/no cell named "nope"; cells are: a/);
  });
});
