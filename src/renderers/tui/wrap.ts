/**
 * Wrapping for the lines that matter (escalation, prompts, help, refusals): whole words
 * where they fit, a word longer than the line broken, and continuation lines indented.
 */
import { displayWidth, wrapTo } from '../text/width.js';

/** The text in lines of at most `width` display columns; `indent` starts every line after the first. */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const room = Math.max(4, width);
  const words = text.normalize().replace(/\s+/g, ' ').trim();
  const [first = '', ...more] = wrapTo(words, room);
  if (more.length === 0) return [first];
  // The first line is a prefix of the words (wrap-ansi only drops the space it broke at).
  const rest = words.slice(first.length).trimStart();
  const continued = wrapTo(rest, Math.max(2, room - displayWidth(indent)));
  return [first, ...continued.map((line) => indent + line)];
}
