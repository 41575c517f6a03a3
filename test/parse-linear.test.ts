/**
 * Parsing (and the `list` outline) stays linear: ten times the cells costs about ten times the work. A ratio in
 * one process, never a wall-clock limit (bench/ reports absolute numbers).
 */
import { describe, expect, it } from 'vitest';
import { formatOutline } from '../src/commands/list-outline.js';
import { parseRunbook } from '../src/engine/parse.js';

function runbookWith(cells: number): string {
  const parts = ['---', 'title: big', '---', '# Big'];
  for (let i = 0; i < cells; i += 1) {
    const lang = ['sql', 'sh', 'powershell'][i % 3];
    const body = i % 3 === 0 ? "SELECT * FROM t WHERE sha = '<GOOD_SHA>';" : 'echo "$HOME" <GOOD_SHA>';
    const fence = i % 5 === 0 ? ['- step', '', `  \`\`\`${lang}`, `  ${body}`, '  ```'] : [`\`\`\`${lang} {timeout=30s}`, body, '```'];
    parts.push('', `## Step ${i} (< 2 min)`, '', `Do **the thing** now, see [docs](https://example.com/${i}).`, '', ...fence);
  }
  return parts.join('\n');
}

function fastest(text: string): number {
  let best = Infinity;
  for (let round = 0; round < 3; round += 1) {
    const started = performance.now();
    formatOutline(parseRunbook(text, 'big.md'), { selection: {}, cells: [], neededValues: [], needsDatabase: false });
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

describe('parse and outline time', () => {
  it('grows linearly from 1,000 to 10,000 cells', () => {
    const small = runbookWith(1_000);
    const large = runbookWith(10_000);
    parseRunbook(small, 'warm-up.md');
    const runbook = parseRunbook(large, 'big.md');
    expect(runbook.cells).toHaveLength(10_000);
    expect(new Set(runbook.cells.map((cell) => cell.id)).size).toBe(10_000);
    const ratio = fastest(large) / fastest(small);
    // Linear is ~10; quadratic would be ~100. The margin absorbs a busy machine.
    expect(ratio).toBeLessThan(30);
  });

  it('stays linear on a paragraph of unclosed link and emphasis openers ([x, ![x, [x](, **a, *a, ~~a)', () => {
    const text = (n: number) => `# Brackets\n\n${['[x', '![x', '[x](', '[x][', '**a', '*a ', '_a ', '~~a', '``a'].map((p) => p.repeat(n)).join('\n\n')}\n`;
    const time = (source: string) => {
      let best = Infinity;
      for (let round = 0; round < 3; round += 1) {
        const started = performance.now();
        parseRunbook(source, 'brackets.md');
        best = Math.min(best, performance.now() - started);
      }
      return best;
    };
    time(text(1_000));
    // Linear is ~10; quadratic (as the link patterns were: 160 KB of [x took 19 s) would be ~100.
    expect(time(text(40_000)) / time(text(4_000))).toBeLessThan(30);
  });
});
