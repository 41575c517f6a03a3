/**
 * A command the cell calls that is not on PATH is named while the cell is asked about;
 * an edit that removes the call takes the warning away (read again, from the text that
 * will run, by PowerShell's own parser), and one that adds a call brings it.
 */
import { describe, expect, it } from 'vitest';
import { onPath } from '../src/engine/plan/index.js';
import { parseRunbook } from '../src/engine/parse.js';
import { Runner } from '../src/engine/runner.js';
import type { Decision, DecisionContext } from '../src/engine/operator.js';
import type { RunEvent } from '../src/engine/events.js';
import { noTarget, scriptedOperator } from './runner-support.js';

const hasPwsh = onPath('pwsh');

describe.skipIf(!hasPwsh)('missing commands after an edit (real pwsh)', () => {
  it('are read again from the edited text', async () => {
    const runbook = parseRunbook('# Drill\n\n## Deploy\n\n```powershell {name=deploy}\nrailway-not-here up --detach\n```\n', 'drill.md');
    const seen: (string[] | undefined)[] = [];
    const script = (context: DecisionContext): Decision => {
      seen.push(context.missing);
      if (seen.length === 1) return { action: 'edit', source: 'Write-Output "deployed"' };
      if (seen.length === 2) return { action: 'run' };
      if (seen.length === 3) return { action: 'edit', source: 'other-missing-tool --go' };
      return { action: 'skip' };
    };
    const events: RunEvent[] = [];
    const summary = await new Runner({ runbook, operator: scriptedOperator(script), target: noTarget, mode: 'interactive', variables: [], actor: 'tester', argv: [], sinks: [(e) => events.push(e)] }).run();
    expect(summary.status).not.toBe('aborted');
    expect(seen).toEqual([['railway-not-here'], undefined, undefined, ['other-missing-tool']]);
    // run.started has the plan of the text as written; the edited attempt records its own (replanCell).
    const started = events.find((e) => e.type === 'run.started');
    expect(started?.type === 'run.started' && started.cells?.[0]?.plan?.needs).toEqual([{ name: 'railway-not-here', found: false }]);
    const attempt = events.find((e) => e.type === 'cell.started');
    expect(attempt?.type === 'cell.started' && attempt.plan).toMatchObject({ id: 'deploy', effect: 'write', needs: [] });
  }, 60_000);

  it('an edit is read with the other cells of the run: a function another cell defines is still no missing program', async () => {
    const runbook = parseRunbook(
      '# Drill\n\n## Tools\n\n```powershell {name=tools}\nfunction Deploy-Now { Write-Output deployed }\n```\n\n## Deploy\n\n```powershell {name=deploy}\nDeploy-Now\n```\n',
      'drill.md',
    );
    const seen: (string[] | undefined)[] = [];
    const script = (context: DecisionContext): Decision => {
      if (context.cell.id === 'tools') return context.attempts === 0 ? { action: 'run' } : { action: 'next' };
      seen.push(context.missing);
      if (seen.length === 1) return { action: 'edit', source: 'Deploy-Now\nnot-here-tool --go' };
      return { action: 'skip' };
    };
    await new Runner({ runbook, operator: scriptedOperator(script), target: noTarget, mode: 'interactive', variables: [], actor: 'tester', argv: [] }).run();
    expect(seen).toEqual([undefined, ['not-here-tool']]);
  }, 60_000);
});
