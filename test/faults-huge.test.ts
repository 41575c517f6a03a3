/**
 * Huge inputs parse without crashing: 200,000 cells (no spread of every cell into one
 * call) and containers nested 3,000 deep (capped at MAX_NESTING, with a warning, so
 * every recursive reader of the tree stays within the stack). Time is bench/'s to
 * measure (workload "huge"), not a test timer's.
 */
import { describe, expect, it } from 'vitest';
import { formatOutline } from '../src/commands/list-outline.js';
import { MAX_NESTING } from '../src/engine/markdown/block-tree.js';
import { parseRunbook } from '../src/engine/parse.js';

describe('huge inputs', () => {
  it('a 200,000-cell runbook parses and gets its outline', () => {
    const parts = ['# Many', ''];
    for (let i = 0; i < 200_000; i += 1) parts.push('```sh', `echo ${i}`, '```', '');
    const runbook = parseRunbook(parts.join('\n'), 'many.md');
    expect(runbook.cells).toHaveLength(200_000);
    const outline = formatOutline(runbook, { selection: {}, cells: [], neededValues: [], needsDatabase: false });
    expect(outline).toContain('many-200000');
  }, 120_000);

  it.each([
    ['a list', (i: number) => `${'  '.repeat(i)}- level ${i}`],
    ['a blockquote', (i: number) => `${'> '.repeat(i + 1)}level ${i}`],
  ])('%s nested 3,000 deep parses, says where it stopped nesting, and still finds a cell nested 20 deep', (_name, line) => {
    const levels = Array.from({ length: 3000 }, (_, i) => line(i));
    const fenceIndent = line(20).replace(/level 20$/, '').replace(/-\s$/, '  ').replace(/^( *)- /, '$1  ');
    const cell = [`${fenceIndent}\`\`\`sh {name=deep-cell}`, `${fenceIndent}echo deep`, `${fenceIndent}\`\`\``];
    const text = ['# Deep', '', ...levels.slice(0, 21), ...cell, ...levels.slice(21), ''].join('\n');
    const runbook = parseRunbook(text, 'deep.md');
    expect(runbook.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(runbook.diagnostics).toContainEqual(expect.objectContaining({ rule: 'too-deep', message: expect.stringContaining(`${MAX_NESTING} blocks deep`) }));
    expect(runbook.cells.map((c) => [c.id, c.source])).toEqual([['deep-cell', 'echo deep']]);
  }, 120_000);
});
