/**
 * The end of a run belongs to the operator: after the last cell (even one skipped by
 * preflight, such as a pwsh cell on a machine without pwsh) `finish` is called before
 * `run.finished`, so the console can offer the postmortem checklist and its ticks land in the run.
 */
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../src/engine/parse.js';
import { Runner } from '../src/engine/runner.js';
import { collector, noTarget, runEach, scriptedOperator } from './runner-support.js';

const RUNBOOK = `# Drill

## Check

\`\`\`sh
echo checked
\`\`\`

## Needs a missing tool

\`\`\`sh {interpreter=no-such-interpreter-here}
echo never
\`\`\`

## Postmortem

- [ ] Root cause identified
- [ ] Timeline documented
`;

describe('Runner end of run', () => {
  it('calls operator.finish after the last cell, even a skipped one, and ticks made there land before run.finished', async () => {
    const runbook = parseRunbook(RUNBOOK, 'drill.md');
    const seen = collector();
    const ticks: (() => void)[] = [];
    const operator = {
      ...scriptedOperator(runEach),
      finish: async () => ticks.forEach((tick) => tick()),
    };
    const runner = new Runner({ runbook, operator, target: noTarget, mode: 'interactive', variables: [], actor: 'tester', argv: [], sinks: [seen.sink] });
    ticks.push(() => runner.tick(runbook.checklist[1]!, true));
    await runner.run();

    const types = seen.events.map((e) => (e.type === 'cell.finished' ? `${e.type}:${e.status}` : e.type));
    const lastCell = types.lastIndexOf('cell.finished:skipped');
    expect(lastCell).toBeGreaterThan(types.indexOf('cell.finished:succeeded'));
    expect(types.slice(lastCell + 1)).toEqual(['checklist.ticked', 'run.finished']);
    expect(seen.of('checklist.ticked')[0]).toMatchObject({ item: 'Timeline documented', checked: true });
  });

  it('does not call finish when the operator quits', async () => {
    const runbook = parseRunbook(RUNBOOK, 'drill.md');
    let finished = false;
    const operator = { ...scriptedOperator(() => ({ action: 'quit' as const })), finish: async () => void (finished = true) };
    const runner = new Runner({ runbook, operator, target: noTarget, mode: 'interactive', variables: [], actor: 'tester', argv: [] });
    const summary = await runner.run();
    expect(summary.status).toBe('aborted');
    expect(finished).toBe(false);
  });
});
