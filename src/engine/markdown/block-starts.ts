/**
 * The CommonMark (and GFM table) rules for where a block starts and ends, as pure
 * functions of one line. Used by the block scanner in blocks.ts.
 */

export const ATX_HEADING = /^#{1,6}(?:[ \t]+|$)/;
export const FENCE_OPEN = /^(?:`{3,}(?!.*`)|~{3,})/;
export const THEMATIC_BREAK = /^(?:(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|(?:-[ \t]*){3,})$/;
export const SETEXT_UNDERLINE = /^(?:=+|-+)[ \t]*$/;
export const BULLET = /^[*+-]/;
export const ORDERED = /^(\d{1,9})([.)])/;
export const TASK = /^\[([ xX])\](?=[ \t]|$)/;
/** A character that may start some block; anything else can only be paragraph text. */
export const MAYBE_SPECIAL = /^[#`~*+_=<>0-9|:-]/;

const HTML_BLOCK_TAGS = 'address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul';
const ATTRIBUTE = `(?:\\s+[a-zA-Z_:][a-zA-Z0-9_.:-]*(?:\\s*=\\s*(?:[^"'=<>\`\\x00-\\x20]+|'[^']*'|"[^"]*"))?)`;

/** Start and end conditions of the seven kinds of HTML block, in spec order. */
export const HTML_BLOCKS: { start: RegExp; end?: RegExp; interruptsParagraph: boolean }[] = [
  { start: /^<(?:script|pre|textarea|style)(?:\s|>|$)/i, end: /<\/(?:script|pre|textarea|style)>/i, interruptsParagraph: true },
  { start: /^<!--/, end: /-->/, interruptsParagraph: true },
  { start: /^<[?]/, end: /\?>/, interruptsParagraph: true },
  { start: /^<![A-Za-z]/, end: />/, interruptsParagraph: true },
  { start: /^<!\[CDATA\[/, end: /\]\]>/, interruptsParagraph: true },
  { start: new RegExp(`^</?(?:${HTML_BLOCK_TAGS})(?:\\s|/?>|$)`, 'i'), interruptsParagraph: true },
  {
    start: new RegExp(`^(?:<[A-Za-z][A-Za-z0-9-]*${ATTRIBUTE}*\\s*/?>|</[A-Za-z][A-Za-z0-9-]*\\s*>)\\s*$`),
    interruptsParagraph: false,
  },
];

/** Cells of a GFM table row: `| a | b |` → [`a`, `b`]; escaped pipes stay in the cell. */
export function tableCells(row: string): string[] {
  let text = row.trim();
  if (text.startsWith('|')) text = text.slice(1);
  if (text.endsWith('|') && !text.endsWith('\\|')) text = text.slice(0, -1);
  const cells: string[] = [];
  let current = '';
  let inCode = false;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at]!;
    if (char === '\\' && text[at + 1] === '|') {
      current += '|';
      at += 1;
    } else if (char === '`') {
      inCode = !inCode;
      current += char;
    } else if (char === '|' && !inCode) {
      cells.push(current.trim());
      current = '';
    } else current += char;
  }
  cells.push(current.trim());
  return cells;
}

/** A GFM delimiter row such as `| --- | :-: |`, with the number of columns it declares. */
export function delimiterColumns(line: string): number | undefined {
  const text = line.trim();
  if (!/^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$/.test(text)) return undefined;
  return tableCells(text).length;
}
