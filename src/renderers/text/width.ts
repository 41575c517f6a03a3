/**
 * Display width: how many terminal columns a text takes, the way Ink measures it
 * (string-width: `日本語` is 6, an emoji with its skin tone 2, a combining accent 0, ANSI
 * styling 0). Every renderer that pads, aligns, cuts or wraps counts with these, never with
 * `.length` or code points, or a table with a CJK column or an emoji comes out misaligned.
 */
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';

export function displayWidth(text: string): number {
  return stringWidth(text);
}

export function padEndTo(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

export function padStartTo(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

export function centreTo(text: string, width: number): string {
  const room = Math.max(0, width - displayWidth(text));
  const left = Math.floor(room / 2);
  return ' '.repeat(left) + text + ' '.repeat(room - left);
}

// Made on first use: the first Segmenter of a process loads ICU's break data (~13 ms), which
// a run that never cuts a line would pay at start (scripts/bundle.mjs does the same for packages).
let segmenter: Intl.Segmenter | undefined;
const graphemes = { segment: (text: string) => (segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' })).segment(text) };

/**
 * The text cut to at most `width` columns, its last column an ellipsis when cut. Whole
 * graphemes only (an emoji or an accented letter is never split). Not cli-truncate: 5.2
 * returns one column too many when a wide character meets the edge (`日本語テキスト` cut to 6
 * gives `日本語…`, 7 columns), which pushes a table's rule out of line.
 */
export function truncateTo(text: string, width: number, ellipsis = '…'): string {
  if (displayWidth(text) <= width) return text;
  const room = width - displayWidth(ellipsis);
  if (room < 0) return '';
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const next = displayWidth(segment);
    if (used + next > room) break;
    kept += segment;
    used += next;
  }
  return kept + ellipsis;
}

/**
 * The first `width` columns of the text and the rest, split between graphemes. At least one
 * grapheme goes first (an emoji is 2 columns wide even where only 1 is left), so a loop over
 * the rest always ends.
 */
export function splitAtWidth(text: string, width: number): [string, string] {
  let used = 0;
  let at = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    const next = displayWidth(segment);
    if (used + next > width && index > 0) break;
    used += next;
    at = index + segment.length;
  }
  return [text.slice(0, at), text.slice(at)];
}

/** The last `width` columns of the text (whole graphemes), for input whose end is where the typing is. */
export function tailTo(text: string, width: number): string {
  const parts = [...graphemes.segment(text)].map(({ segment }) => segment);
  let kept = '';
  let used = 0;
  for (let i = parts.length - 1; i >= 0; i -= 1) {
    const next = displayWidth(parts[i]!);
    if (used + next > width) break;
    kept = parts[i]! + kept;
    used += next;
  }
  return kept;
}

/**
 * Whole words in lines of at most `width` columns (a word wider than a line is broken),
 * by wrap-ansi, the wrapper Ink itself uses.
 */
export function wrapTo(text: string, width: number): string[] {
  return wrapAnsi(text, Math.max(1, width), { hard: true, trim: true }).split('\n');
}
