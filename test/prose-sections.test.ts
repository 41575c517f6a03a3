/** Prose without cells (the runbook's Symptoms) is shown: by `list`, in `list --json`, and in the console before the first step. */
import { describe, expect, it } from 'vitest';
import { readRunbookFile } from '../src/engine/parse.js';
import { proseSections } from '../src/engine/prose-sections.js';
import { stateFromRunbook } from '../src/renderers/tui/state.js';
import { paneModel } from '../src/renderers/tui/pane.js';
import { outlineRows } from '../src/renderers/tui/components/Outline.js';
import { runCli } from './runner-support.js';

const SYMPTOM = '- `connection refused` / `FATAL: too many connections`';

describe('sections of prose only', () => {
  it('are the Symptoms, before the first cell; the checklist section is shown as the checklist', async () => {
    const runbook = await readRunbookFile('runbooks/dragonfly.md');
    const prose = proseSections(runbook);
    expect(prose.map((s) => [s.title, s.line, s.before])).toEqual([['Symptoms', 16, '1-immediate-containment-2-min']]);
    expect(prose[0]?.prose.split('\n')).toHaveLength(5);
  });

  it('`list` prints them where they stand; `list --json` carries them', async () => {
    const text = await runCli(['list', 'runbooks/dragonfly.md']);
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    const at = lines.indexOf('Symptoms');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe(`  ${SYMPTOM}`);
    expect(lines.indexOf('1. Immediate Containment (< 2 min)  [budget 2 min]')).toBeGreaterThan(at + 5);
    const json = JSON.parse((await runCli(['list', '--json', 'runbooks/dragonfly.md'])).stdout);
    expect(json.prose).toEqual([expect.objectContaining({ title: 'Symptoms', line: 16, before: '1-immediate-containment-2-min', prose: expect.stringContaining(SYMPTOM) })]);
  });

  it('the console: the outline names the section, the first cell\'s pane shows its text (cut to fit on a small screen)', async () => {
    const runbook = await readRunbookFile('runbooks/dragonfly.md');
    const state = stateFromRunbook(runbook, 'alice');
    expect(outlineRows(state)[0]).toEqual({ kind: 'section', title: "Symptoms (read it in the next cell's pane)" });
    const first = state.cells['1-immediate-containment-2-min']!;
    const pane = paneModel(state, first, 100, 24);
    expect(pane.prose.slice(0, 3)).toEqual(['§ Symptoms', `  ${SYMPTOM}`, '  - `permission denied for table/schema` or `RLS policy violation`']);
    expect(pane.prose.slice(0, 6).filter((line) => line.startsWith('  - '))).toHaveLength(5);
    const small = paneModel(state, first, 100, 10);
    expect(small.prose[0]).toBe('§ Symptoms');
    expect(small.prose.some((line) => /more lines in the runbook/.test(line))).toBe(true);
    // Only before that cell.
    expect(paneModel(state, state.cells['2-diagnostics-sql-run-against-prod']!, 100, 24).prose.join('\n')).not.toContain('Symptoms');
  });
});
