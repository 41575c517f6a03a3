/** Compact prose for the console (durations and clocks are in ../text/time.ts). */
import { displayWidth, splitAtWidth, truncateTo } from '../text/width.js';

/** Prose squeezed to at most `max` lines of `width`: words kept whole, the last line cut with …. */
export function fitLines(text: string, width: number, max: number): string[] {
  const words = text.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const candidate = line ? `${line} ${word}` : word;
    if (displayWidth(candidate) <= width || !line) {
      line = candidate;
      continue;
    }
    lines.push(line);
    line = word;
    if (lines.length === max) break;
  }
  if (line && lines.length < max) lines.push(line);
  const cut = lines.length === max && lines.join(' ').length < words.join(' ').length;
  if (cut && lines.length) {
    lines[lines.length - 1] = `${splitAtWidth(lines[lines.length - 1] as string, Math.max(0, width - 1))[0]}…`;
  }
  return lines.map((l) => truncateTo(l, width));
}
