/**
 * Display widths: tables, wrapped lines and cut values measured in terminal columns, so a
 * `日本語` or emoji value lines up. The properties draw from wide, narrow, combining and
 * emoji graphemes, the cases code-point counting and cli-truncate get wrong.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTable } from '../src/renderers/table.js';
import { displayWidth, splitAtWidth, tailTo, truncateTo } from '../src/renderers/text/width.js';
import { fitLines } from '../src/renderers/tui/format.js';
import { wrapText } from '../src/renderers/tui/wrap.js';

const grapheme = fc.constantFrom('a', 'Z', '7', '日', '本', '語', 'テ', '👍🏽', '🇯🇵', 'e\u0301', '☑', '→', 'ß', '한');
const text = (maxLength: number) => fc.array(grapheme, { maxLength }).map((parts) => parts.join(''));
const words = fc.array(text(12).filter((word) => word !== ''), { maxLength: 12 }).map((list) => list.join(' '));

/** The display column of every `|` in a line, ignoring `|` inside values (none here). */
function bars(line: string): number[] {
  const columns: number[] = [];
  let at = 0;
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(line)) {
    if (segment === '|' || segment === '+') columns.push(at);
    at += displayWidth(segment);
  }
  return columns;
}

describe('tables in display columns', () => {
  it('aligns a 日本語 column and an emoji column under their header and rule', () => {
    const lines = formatTable(['name', 'mood', 'n'], [['日本語', '👍🏽', 1], ['abc', 'ok', 22], ['東京都の店舗', '🇯🇵🎉', 3]]);
    expect(lines).toEqual([
      '     name     | mood | n',
      '--------------+------+----',
      ' 日本語       | 👍🏽   |  1',
      ' abc          | ok   | 22',
      ' 東京都の店舗 | 🇯🇵🎉 |  3',
    ]);
    for (const line of lines) expect(bars(line)).toEqual(bars(lines[1]!));
  });

  it('keeps every row on the rule for any mix of wide, narrow and combining values', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(text(8), text(8)), { minLength: 1, maxLength: 6 }), fc.integer({ min: 3, max: 10 }), (rows, max) => {
        const lines = formatTable(['a', 'b'], rows, { maxColumnWidth: max });
        const rule = bars(lines[1]!);
        for (const line of [lines[0]!, ...lines.slice(2)]) expect(bars(line)).toEqual(rule);
      }),
    );
  });

  it('cuts a wide value to the column width, never one column over', () => {
    expect(truncateTo('日本語テキスト', 6)).toBe('日本…');
    expect(truncateTo('👍🏽👍🏽👍🏽👍🏽', 6)).toBe('👍🏽👍🏽…');
    expect(formatTable(['t'], [['日本語テキスト']], { maxColumnWidth: 6 })).toEqual(['   t', '-------', ' 日本…']);
    fc.assert(
      fc.property(text(20), fc.integer({ min: 1, max: 25 }), (value, width) => {
        const cut = truncateTo(value, width);
        expect(displayWidth(cut)).toBeLessThanOrEqual(width);
        if (cut !== value) expect(value.startsWith(cut.slice(0, -1))).toBe(true);
      }),
    );
  });
});

describe('wrapped console lines in display columns', () => {
  it('wraps CJK prose at the screen width and indents continuation lines', () => {
    expect(wrapText('⚑ 日本語の説明 エスカレーション先 オンコール担当', 12, '  ')).toEqual([
      '⚑',
      '  日本語の説',
      '  明',
      '  エスカレー',
      '  ション先',
      '  オンコール',
      '  担当',
    ]);
  });

  it('never lets a line past the width and never loses a character', () => {
    fc.assert(
      fc.property(words, fc.integer({ min: 4, max: 30 }), fc.constantFrom('', '  ', '日'), (prose, width, indent) => {
        const lines = wrapText(prose, width, indent);
        for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
        const unindented = lines.map((line, i) => (i > 0 ? line.slice(indent.length) : line));
        // wrap-ansi composes accents (NFC): the same text on screen.
        expect(unindented.join('').replace(/ /g, '')).toBe(prose.normalize().replace(/ /g, ''));
      }),
    );
  });
});

describe('cutting at a column', () => {
  it('splits between graphemes, never past the width (one grapheme at least), and loses nothing', () => {
    expect(splitAtWidth('日本語', 3)).toEqual(['日', '本語']);
    expect(splitAtWidth('👍🏽x', 1)).toEqual(['👍🏽', 'x']);
    fc.assert(
      fc.property(text(20), fc.integer({ min: 1, max: 12 }), (value, width) => {
        const [head, rest] = splitAtWidth(value, width);
        expect(head + rest).toBe(value);
        if ([...new Intl.Segmenter().segment(head)].length > 1) expect(displayWidth(head)).toBeLessThanOrEqual(width);
        if (value) expect(head).not.toBe('');
      }),
    );
  });

  it('keeps the end of typed input within the width', () => {
    expect(tailTo('abc日本', 5)).toBe('c日本');
    fc.assert(
      fc.property(text(20), fc.integer({ min: 0, max: 12 }), (value, width) => {
        const tail = tailTo(value, width);
        expect(displayWidth(tail)).toBeLessThanOrEqual(width);
        expect(value.endsWith(tail)).toBe(true);
      }),
    );
  });

  it('squeezes prose into at most N lines of the width (the console\'s cell prose)', () => {
    fc.assert(
      fc.property(words, fc.integer({ min: 4, max: 30 }), fc.integer({ min: 1, max: 3 }), (prose, width, max) => {
        const lines = fitLines(prose, width, max);
        expect(lines.length).toBeLessThanOrEqual(max);
        for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
      }),
    );
  });
});
