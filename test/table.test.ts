import { describe, expect, it } from 'vitest';
import { formatTable, formatValue, rowCountFooter } from '../src/renderers/table.js';

describe('formatTable', () => {
  it('prints a psql-like table: centred header, rule, padded columns, numbers on the right', () => {
    expect(formatTable(['id', 'status', 'count'], [[1, 'in_progress', '12'], [22, 'pending', '3']])).toEqual([
      ' id |   status    | count',
      '----+-------------+-------',
      '  1 | in_progress |    12',
      ' 22 | pending     |     3',
    ]);
  });

  it('shows NULL as empty by default or as the chosen text, and does not count it against a numeric column', () => {
    expect(formatTable(['n'], [[null], [5]])).toEqual([' n', '---', '', ' 5']);
    expect(formatTable(['n', 'name'], [[null, null], [5, 'x']], { nullText: 'NULL' })).toEqual([
      '  n   | name',
      '------+------',
      ' NULL | NULL',
      '    5 | x',
    ]);
  });

  it('cuts long values with an ellipsis and keeps each row on one line', () => {
    const [, , row] = formatTable(['text'], [['a'.repeat(100)]], { maxColumnWidth: 10 });
    expect(row).toBe(` ${'a'.repeat(9)}…`);
    expect(formatTable(['t'], [['two\nlines\tand tab']])[2]).toBe(' two↵lines and tab');
  });

  it('counts wide symbols as one column and left-aligns a column that mixes text and numbers', () => {
    expect(formatTable(['mark', 'v'], [['☑', '1'], ['☐☐', 'x']])).toEqual([' mark | v', '------+---', ' ☑    | 1', ' ☐☐   | x']);
  });

  it('prints a header and rule for an empty result', () => {
    expect(formatTable(['a', 'bb'], [])).toEqual([' a | bb', '---+----']);
  });
});

describe('formatValue and rowCountFooter', () => {
  it('renders booleans, objects, bigints like psql shows them', () => {
    expect([true, false, { a: 1 }, [1, 2], 10n, 1.5].map((v) => formatValue(v))).toEqual(['t', 'f', '{"a":1}', '[1,2]', '10', '1.5']);
  });

  it('says how many rows there are and when only some are shown', () => {
    expect(rowCountFooter(1, 1, false)).toBe('(1 row)');
    expect(rowCountFooter(0, 0, false)).toBe('(0 rows)');
    expect(rowCountFooter(2_000_000, 500, true)).toBe('(2000000 rows, first 500 shown)');
  });
});
