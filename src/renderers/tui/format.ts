/** Small text helpers for the console: clocks, durations, compact prose. */
import { displayWidth, splitAtWidth, truncateTo } from '../text/width.js';

/** 0:42, 12:03, 1:02:03. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** 12 ms, 1.2 s, 2:03; `whole`: a ticking clock's 0 s, 12 s, 2:03. */
export function duration(ms: number, options: { whole?: boolean } = {}): string {
  if (options.whole && ms < 60_000) return `${Math.floor(ms / 1000)} s`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return clock(ms);
}

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
