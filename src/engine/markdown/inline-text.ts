/**
 * The plain text of inline Markdown (what mdast-util-to-string would give after a full
 * inline parse), for heading titles, paragraphs and table cells: code spans, emphasis,
 * strikethrough, links, images, autolinks, inline HTML, escapes and entities.
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
  for (const match of markdown.matchAll(/(?<!`)(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g)) {
    text += plain(markdown.slice(at, match.index)) + codeSpan(match[2]!);
    at = match.index + match[0].length;
  }
  return (text + plain(markdown.slice(at))).replace(/[ \t]*\n[ \t]*/g, '\n');
}

function codeSpan(content: string): string {
  return /^[ \n][\s\S]*[ \n]$/.test(content) && content.trim() !== '' ? content.slice(1, -1) : content;
}

function plain(markdown: string): string {
  return markdown
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, '$1')
    .replace(/<((?:https?|mailto|ftp):[^\s<>]*)>/gi, '$1')
    // HTML's own tags go; a runbook's placeholder (`Ticket <TICKET> updated`) is the text, and stays.
    .replace(/<\/?([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?\/?>/g, (tag, name: string) => (HTML_ELEMENTS.has(name.toLowerCase()) ? '' : tag))
    .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
    .replace(/(^|[^\w*])\*(?=[^\s*])([^*]*?[^\s*])\*(?![*])/g, '$1$2')
    .replace(/(^|\W)_(?=[^\s_])([^_]*?[^\s_])_(?!\w)/g, '$1$2')
    .replace(/(?<!~)~~(?=[^\s~])([\s\S]*?[^\s~])~~(?!~)/g, '$1')
    .replace(/\\([!-/:-@[-`{-~])/g, '$1')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => decodeEntity(name) ?? entity);
}

function decodeEntity(name: string): string | undefined {
  if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16) || 0xfffd);
  if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10) || 0xfffd);
  return ENTITIES[name.toLowerCase()];
}
