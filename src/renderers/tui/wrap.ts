/**
 * Wrapping for the lines that matter (escalation, prompts, help, refusals): whole words
 * where they fit, a word longer than the line broken, and continuation lines indented.
 */

/** The text in lines of at most `width` code points; `indent` starts every line after the first. */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const room = Math.max(4, width);
  const words = text.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
  const lines: string[] = [];
  let line = '';
  const push = () => {
    lines.push(line);
    line = indent;
  };
  for (const word of words) {
    const sep = line.trim() ? ' ' : '';
    if (len(line) + len(sep) + len(word) <= room) {
      line += sep + word;
      continue;
    }
    if (line.trim()) push();
    let rest = [...word];
    while (len(line) + rest.length > room) {
      const take = Math.max(1, room - len(line));
      line += rest.slice(0, take).join('');
      rest = rest.slice(take);
      push();
    }
    line += rest.join('');
  }
  if (line.trim() || lines.length === 0) lines.push(line);
  return lines;
}

function len(text: string): number {
  return [...text].length;
}
