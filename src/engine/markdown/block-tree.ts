/**
 * The scanner's blocks and their conversion to mdast nodes with unist positions, so the
 * walk reads them exactly as it would read remark's tree.
 */
import type { Nodes, Root, RootContent } from 'mdast';
import { tableCells } from './block-starts.js';
import { inlineText } from './inline-text.js';

export interface Block {
  type: 'root' | 'blockquote' | 'list' | 'listItem' | 'heading' | 'thematicBreak' | 'code' | 'html' | 'paragraph' | 'table' | 'yaml';
  parent?: Block;
  children: Block[];
  open: boolean;
  /** 1-based line and column where the block starts. */
  line: number;
  column: number;
  /** The last line that belongs to the block itself (children extend containers). */
  lastLine: number;
  lines: string[];
  lineNumbers: number[];
  depth?: number;
  fence?: { char: string; length: number; indent: number };
  closed?: boolean;
  htmlType?: number;
  list?: { ordered: boolean; marker: string; markerOffset: number; padding: number };
  checked?: boolean;
  /** The task marker as written (`[ ] `), in case the item's text turns out not to be a task. */
  taskMarker?: string;
  /** For frontmatter: how its text is written. */
  frontmatterFormat?: 'yaml' | 'toml' | 'json';
  /** How many blocks hold this one (the root: 0). */
  nesting: number;
}

/**
 * Containers (blockquotes, lists, list items) nest at most this deep; a deeper start is
 * read as paragraph text, as markdown-it does past its maxNesting. Every reader of the
 * tree (the walk, mdast-util-to-string) recurses per level, and a runbook nested 3,000
 * deep is a hostile input, not a runbook: the cap keeps parsing linear and the stack safe.
 */
export const MAX_NESTING = 200;

interface Point {
  line: number;
  column: number;
  offset: number;
}

/** `capped`: the first line where a container was not opened because of MAX_NESTING. */
export function toMdast(root: Block, text: string, starts: number[], lines: string[], capped?: number): Root {
  const point = (line: number, column: number): Point => ({ line, column, offset: (starts[line - 1] ?? text.length) + column - 1 });
  const endOf = (line: number): Point => point(line, (lines[line - 1] ?? '').length + 1);

  const convert = (block: Block): { node: RootContent; end: Point } => {
    const start = point(block.line, block.column);
    const children = block.children.map(convert);
    let end = children.length > 0 ? children[children.length - 1]!.end : endOf(block.lastLine);
    if (block.type === 'listItem' || block.type === 'blockquote' || block.type === 'list') {
      if (children.length === 0) end = endOf(block.line);
    } else if (block.type !== 'code' || block.fence) end = endOf(Math.max(block.lastLine, block.line));
    const position = { start, end };
    const node = leaf(block, children.map((child) => child.node), (line) => point(line, 1), endOf);
    node.position = position;
    if (block.type === 'code' && block.fence && !block.closed) {
      // An unclosed fence ends with its container; the blank lines before that are not code.
      let last = block.lines.length;
      while (last > 0 && block.lines[last - 1]!.trim() === '') last -= 1;
      (node as { value: string }).value = block.lines.slice(0, last).join('\n');
    }
    if (block.type === 'code' && !block.fence) {
      let last = block.lines.length;
      while (last > 0 && block.lines[last - 1]!.trim() === '') last -= 1;
      (node as { value: string }).value = block.lines.slice(0, last).join('\n');
      node.position = { start, end: endOf(block.lineNumbers[last - 1] ?? block.line) };
    }
    return { node, end: node.position.end as Point };
  };

  const tree: Root = { type: 'root', children: root.children.map((child) => convert(child).node) };
  tree.position = { start: point(1, 1), end: endOf(lines.length) };
  if (capped !== undefined) tree.data = { nestingCappedAt: capped };
  return tree;
}

function leaf(block: Block, children: RootContent[], lineStart: (line: number) => Point, endOf: (line: number) => Point): RootContent {
  const text = (value: string) => [{ type: 'text' as const, value: inlineText(value) }];
  switch (block.type) {
    case 'heading':
      return { type: 'heading', depth: Math.min(6, Math.max(1, block.depth ?? 1)) as 1, children: text(block.lines.join('\n').trim()) };
    case 'paragraph':
      return { type: 'paragraph', children: text(block.lines.join('\n').trim()) };
    case 'code':
      return {
        type: 'code', lang: null, meta: null, value: block.lines.join('\n'),
        ...(block.fence ? { data: { fenceClosed: block.closed === true } } : {}),
      } as RootContent;
    case 'html':
      return { type: 'html', value: block.lines.join('\n') };
    case 'yaml':
      return { type: 'yaml', value: block.lines.join('\n'), data: { format: block.frontmatterFormat ?? 'yaml' } } as RootContent;
    case 'thematicBreak':
      return { type: 'thematicBreak' };
    case 'blockquote':
      return { type: 'blockquote', children } as RootContent;
    case 'list':
      return { type: 'list', ordered: block.list?.ordered ?? false, spread: false, children } as RootContent;
    case 'listItem':
      return { type: 'listItem', checked: block.checked ?? null, spread: false, children } as RootContent;
    case 'table':
      return {
        type: 'table',
        children: block.lines.map((row, index) => ({
          type: 'tableRow',
          position: { start: lineStart(block.lineNumbers[index]!), end: endOf(block.lineNumbers[index]!) },
          children: tableCells(row).map((cell) => ({ type: 'tableCell', children: text(cell) })),
        })),
      } as RootContent;
    default:
      return { type: 'paragraph', children: [] } as Nodes as RootContent;
  }
}
