/** A shell's error positions point at the runbook's line as written, never at the temporary cell file or RUNBOOK_VAR_ names. */
import { describe, expect, it } from 'vitest';
import { contextFor, shellExecutors } from './support/executor-context.js';

const sh = shellExecutors();

describe('shell errors at the runbook line', () => {
  it('bash: command not found and a syntax error name runbooks/x.md and the document line', async () => {
    const run = contextFor('sh', 'echo one\nno_such_cmd_xyz --flag\necho two', { document: 'runbooks/x.md' });
    await sh({ lang: 'sh' }).run(run.context);
    // cellOf puts the cell's first line at document line 11.
    expect(run.output('stderr')).toMatch(/^runbooks\/x\.md:12: no_such_cmd_xyz: command not found$/m);
    const broken = contextFor('sh', 'echo one\nif then fi', { document: 'runbooks/x.md' });
    await sh({ lang: 'sh' }).run(broken.context);
    expect(broken.output('stderr')).toMatch(/^runbooks\/x\.md:12: syntax error near unexpected token/m);
    expect(run.output('stderr') + broken.output('stderr')).not.toMatch(/\/dev\/shm|runbook-shell-|\.sh:/);
  });

  it('sh (dash or whichever sh): the same, and a bound value reads as its placeholder', async () => {
    const run = contextFor('sh', 'true\n"${RUNBOOK_VAR_GOOD_SHA}"-tool', { document: 'runbooks/x.md' });
    run.context.env = { ...run.context.env, RUNBOOK_VAR_GOOD_SHA: 'abc1234' };
    await sh({ lang: 'sh', interpreter: 'sh' }).run(run.context);
    expect(run.output('stderr')).toMatch(/^runbooks\/x\.md:12: .*abc1234-tool.*not found/m);
    expect(run.output('stderr')).not.toMatch(/\/dev\/shm|runbook-shell-|RUNBOOK_VAR_/);
  });
});
