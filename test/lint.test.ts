/** lintRunbook: what `runbook lint` reports, at the line and column an editor shows. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintRunbook } from '../src/engine/lint.js';
import { parseRunbook } from '../src/engine/parse.js';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', 'markdown', name);
const lintFixture = async (name: string) => {
  const text = readFileSync(fixture(name), 'utf8');
  return lintRunbook(parseRunbook(text, name), text);
};

describe('lintRunbook', () => {
  it('points at the broken SQL inside the document: top level, list item, blockquote', async () => {
    const diagnostics = await lintFixture('broken-sql.md');
    expect(diagnostics.map(({ line, column, severity, rule }) => [line, column, severity, rule])).toEqual([
      [7, 1, 'error', 'sql-syntax'],
      [16, 29, 'error', 'sql-syntax'],
      [23, 17, 'error', 'sql-syntax'],
    ]);
    const lines = readFileSync(fixture('broken-sql.md'), 'utf8').split('\n');
    expect(lines[6]!.slice(0)).toMatch(/^SELEC 2;/);
    expect(lines[15]!.slice(28)).toMatch(/^= 'x';/);
    expect(lines[22]!.slice(16)).toBe(';');
    expect(diagnostics[0]!.message).toBe('SQL in cell top-level: syntax error at or near "SELEC"');
  });

  it('does not report SQL that only holds placeholders', async () => {
    const diagnostics = await lintFixture('broken-sql.md');
    expect(diagnostics.some((d) => d.message.includes('with-placeholders'))).toBe(false);
  });

  it('reports duplicate names and unclosed fences as errors, unknown attributes and heading-less cells as warnings', async () => {
    const diagnostics = await lintFixture('problems.md');
    expect(diagnostics.map(({ line, severity, rule }) => [line, severity, rule])).toEqual([
      [1, 'warning', 'no-heading'],
      [9, 'warning', 'unknown-attribute'],
      [15, 'error', 'duplicate-name'],
      [19, 'error', 'unclosed-fence'],
    ]);
    expect(diagnostics[1]!.message).toMatch(/unknown attribute "flavour" on cell same; known: name, timeout/);
  });

  it('finds nothing wrong with runbooks/dragonfly.md', async () => {
    const text = readFileSync(join(import.meta.dirname, '..', 'runbooks', 'dragonfly.md'), 'utf8');
    expect(await lintRunbook(parseRunbook(text, 'dragonfly.md'), text)).toEqual([]);
  });

  it('explains a psql session pasted into a sql fence', async () => {
    const text = '# Q\n\n```sql\nprod=# select 1;\n```\n';
    const [diagnostic] = await lintRunbook(parseRunbook(text, 'q.md'), text);
    expect(diagnostic).toMatchObject({ line: 4, column: 1, rule: 'sql-syntax' });
    expect(diagnostic!.message).toMatch(/looks like a psql session \(prompt "prod=#"\)/);
  });

  it('without the text, places SQL errors from the fence column', async () => {
    const text = readFileSync(fixture('broken-sql.md'), 'utf8');
    const diagnostics = await lintRunbook(parseRunbook(text, 'broken-sql.md'));
    expect(diagnostics.map((d) => [d.line, d.column])).toEqual([[7, 1], [16, 29], [23, 17]]);
  });

  it('warns, without failing, about a document with nothing to run', async () => {
    const diagnostics = await lintFixture('no-cells.md');
    expect(diagnostics.map(({ line, column, severity, rule }) => [line, column, severity, rule])).toEqual([[1, 1, 'warning', 'no-cells']]);
  });
});
