/** Text made safe for a GFM table cell or list item: no stray pipes, tags, emphasis or line breaks. */

export function escapeCell(text: string): string {
  return text.split(/\r?\n/).map(escapeInline).join('<br>');
}

export function escapeInline(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

/** A code span that holds any text: fenced with more backticks than the text contains. */
export function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')}${pad}${fence}`;
}

/** A fenced code block that holds any text: more backticks than the longest run inside. */
export function fence(text: string, lang: string): string[] {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const marks = '`'.repeat(longest + 1);
  return [`${marks}${lang}`, ...text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n'), marks];
}
