/**
 * The plain text of inline Markdown (what mdast-util-to-string would give after a full
 * inline parse), for heading titles, paragraphs and table cells: code spans, emphasis,
 * strikethrough, links, images, autolinks, inline HTML, escapes and entities.
 *
 * Linear in the text: links are found by one forward scan (bracketed), and every other
 * pattern bounds how far one match may reach (an emphasis of 4,000 characters): the regular
 * expressions `\[([^\]]*)\]\([^)]*\)` tried at each of 80,000 unclosed `[x` made `list`
 * quadratic (160 KB took 19 s). A longer emphasis keeps its marks in the plain text.
 */

/** Tags written as HTML in prose; any other `<name>` is a placeholder as the author wrote it. */
const HTML_ELEMENTS = new Set(
  'a abbr b big blink br center cite code del details dfn div em font hr i img input ins kbd label li mark ol p pre q s samp small span strike strong sub summary sup table td th time tr tt u ul var wbr'.split(' '),
);

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function inlineText(markdown: string): string {
  let text = '';
  let at = 0;
  // Code spans first: nothing inside them is Markdown.
  for (const match of markdown.matchAll(/(?<!`)(`{1,32})(?!`)([\s\S]{0,8000}?[^`])\1(?!`)/g)) {
    text += plain(markdown.slice(at, match.index)) + codeSpan(match[2]!);
    at = match.index + match[0].length;
  }
  return (text + plain(markdown.slice(at))).replace(/[ \t]*\n[ \t]*/g, '\n');
}

function codeSpan(content: string): string {
  return /^[ \n][\s\S]*[ \n]$/.test(content) && content.trim() !== '' ? content.slice(1, -1) : content;
}

function plain(markdown: string): string {
  return bracketed(bracketed(bracketed(markdown, '![', '(', ')'), '[', '(', ')'), '[', '[', ']')
    .replace(/<((?:https?|mailto|ftp):[^\s<>]{0,4000})>/gi, '$1')
    // HTML's own tags go; a runbook's placeholder (`Ticket <TICKET> updated`) is the text, and stays.
    .replace(/<\/?([A-Za-z][A-Za-z0-9-]{0,100})(?:\s[^<>]{0,4000})?\/?>/g, (tag, name: string) => (HTML_ELEMENTS.has(name.toLowerCase()) ? '' : tag))
    .replace(/(\*\*|__)(?=\S)([\s\S]{0,4000}?\S)\1/g, '$2')
    .replace(/(^|[^\w*])\*(?=[^\s*])([^*]{0,4000}?[^\s*])\*(?![*])/g, '$1$2')
    .replace(/(^|\W)_(?=[^\s_])([^_]{0,4000}?[^\s_])_(?!\w)/g, '$1$2')
    .replace(/(?<!~)~~(?=[^\s~])([\s\S]{0,4000}?[^\s~])~~(?!~)/g, '$1')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => decodeEntity(name) ?? entity);
}

function decodeEntity(name: string): string | undefined {
  if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16) || 0xfffd);
  if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10) || 0xfffd);
  return ENTITIES[name.toLowerCase()];
}

/**
 * `![alt](url)`, `[text](url)` or `[text][ref]` (by `opener` and `tail`) → the text, as
 * `/!?\[([^\]]*)\]\([^)]*\)/g` would replace them, in one pass: the text ends at the
 * first `]` after the opener and the destination at the first `tail`-closer after that,
 * and both are only ever looked for further on, so each character is scanned a constant
 * number of times.
 */
function bracketed(text: string, opener: '![' | '[', tail: '(' | '[', closer: ')' | ']'): string {
  let out = '';
  let copied = 0;
  let from = 0;
  let close = -1;
  let end = -1;
  for (;;) {
    const open = text.indexOf(opener, from);
    if (open < 0) break;
    const textStart = open + opener.length;
    if (close < textStart) close = text.indexOf(']', textStart);
    if (close < 0) break;
    // `[text][ref]` needs a text; `[](url)` may be empty.
    if (text[close + 1] === tail && (tail === '(' || close > textStart)) {
      if (end < close + 2) end = text.indexOf(closer, close + 2);
      if (end < 0) break;
      out += text.slice(copied, open) + text.slice(textStart, close);
      copied = from = end + 1;
      continue;
    }
    from = open + 1;
  }
  return out + text.slice(copied);
}
