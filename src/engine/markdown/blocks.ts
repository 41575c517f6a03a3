/**
 * A linear CommonMark + GFM block scanner that builds the mdast subset the runbook walk
 * needs (headings, code, paragraphs, lists, task items, blockquotes, tables, HTML,
 * frontmatter) with exact positions. It follows the reference algorithm (commonmark.js
 * `incorporateLine`) line by line; remark's full inline parse costs seconds on a
 * 10,000-cell document, this costs milliseconds. test/parse-reference.test.ts checks it
 * against remark-parse + remark-gfm on real runbooks and random documents.
 */
import type { Root } from 'mdast';
import {
  ATX_HEADING, delimiterColumns, FENCE_OPEN, HTML_BLOCKS, MAYBE_SPECIAL, SETEXT_UNDERLINE, TASK, tableCells, THEMATIC_BREAK,
} from './block-starts.js';
import { type Block, MAX_NESTING, toMdast } from './block-tree.js';
import { BlockContinuation } from './block-continuation.js';
import { findFrontmatter } from './frontmatter.js';
import { isSpaceOrTab } from './line-cursor.js';

export function scanBlocks(text: string): Root {
  return new BlockScanner(text).run();
}

class BlockScanner extends BlockContinuation {
  private readonly lines: string[];
  private readonly starts: number[] = [];
  private readonly root: Block;
  private tip: Block;
  private oldTip!: Block;
  private lastMatched!: Block;
  private allClosed = true;
  /** Set when a leaf start (heading, fence opening, rule, table delimiter) used up the line. */
  private lineConsumed = false;
  /** The first line whose container start MAX_NESTING refused. */
  private capped: number | undefined;

  constructor(private readonly text: string) {
    super();
    this.lines = text.split('\n');
    let at = 0;
    for (const line of this.lines) {
      this.starts.push(at);
      at += line.length + 1;
    }
    this.root = this.block('root', 1, 0);
    this.tip = this.root;
  }

  run(): Root {
    let first = 0;
    const frontmatter = findFrontmatter(this.lines);
    if (frontmatter) {
      const block = this.block('yaml', 1, 0);
      block.lines = frontmatter.lines;
      block.lastLine = frontmatter.lastLine;
      block.frontmatterFormat = frontmatter.format;
      block.open = false;
      this.root.children.push(block);
      first = frontmatter.lastLine;
    }
    for (let index = first; index < this.lines.length; index += 1) {
      if (index === this.lines.length - 1 && this.lines[index] === '') break;
      this.lineNumber = index + 1;
      this.incorporate(this.lines[index]!);
    }
    while (this.tip !== this.root) this.finalize(this.tip);
    return toMdast(this.root, this.text, this.starts, this.lines, this.capped);
  }

  private block(type: Block['type'], line: number, offset: number): Block {
    return { type, children: [], open: true, line, column: offset + 1, lastLine: line, lines: [], lineNumbers: [], nesting: 0 };
  }

  private incorporate(line: string): void {
    this.line = line;
    this.offset = 0;
    this.column = 0;
    this.blank = false;
    this.partiallyConsumedTab = false;
    this.lineConsumed = false;
    let container = this.root;
    this.oldTip = this.tip;
    for (let last = container.children.at(-1); last && last.open; last = container.children.at(-1)) {
      container = last;
      this.findNextNonspace();
      const result = this.continues(container);
      if (result === 2) return;
      if (result === 1) {
        container = container.parent!;
        break;
      }
    }
    this.allClosed = container === this.oldTip;
    this.lastMatched = container;
    let matchedLeaf = container.type === 'code' || container.type === 'html';
    while (!matchedLeaf) {
      this.findNextNonspace();
      if (!this.indented && !MAYBE_SPECIAL.test(this.line.slice(this.nextNonspace, this.nextNonspace + 1))) {
        this.advanceNextNonspace();
        break;
      }
      const started = this.startBlock(container);
      if (started === 0) {
        this.advanceNextNonspace();
        break;
      }
      container = this.tip;
      if (started === 2) matchedLeaf = true;
      if (container.checked !== undefined && container.line === this.lineNumber) {
        // After a task marker (`- [ ] `) the rest of the line is paragraph text, never a block.
        this.findNextNonspace();
        this.advanceNextNonspace();
        break;
      }
    }
    if (!this.allClosed && !this.blank && this.tip.type === 'paragraph') {
      this.addLine(this.tip, this.line.slice(this.nextNonspace));
      return;
    }
    this.closeUnmatched();
    if (this.lineConsumed) return;
    if (container.type === 'paragraph' || container.type === 'table') {
      if (!this.blank) this.addLine(container, this.line.slice(this.nextNonspace));
    } else if (container.type === 'code' || container.type === 'html') {
      this.addLine(container, this.restOfLine());
      const end = container.htmlType === undefined ? undefined : HTML_BLOCKS[container.htmlType]!.end;
      if (end && end.test(this.line.slice(this.offset))) this.finalize(container);
    } else if (!this.blank) {
      const paragraph = this.addChild('paragraph', this.nextNonspace);
      this.addLine(paragraph, this.line.slice(this.nextNonspace));
    }
  }

  /** Tries each block start; 0 none matched, 1 a container opened, 2 a leaf opened. */
  private startBlock(container: Block): 0 | 1 | 2 {
    const rest = this.line.slice(this.nextNonspace);
    const first = rest[0];
    const deepest = container.nesting >= MAX_NESTING;
    if (deepest && (first === '>' || /^(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)/.test(rest))) this.capped ??= this.lineNumber;
    if (!this.indented) {
      if (first === '>' && !deepest) {
        this.advanceNextNonspace();
        this.advanceOffset(1, false);
        if (isSpaceOrTab(this.line[this.offset])) this.advanceOffset(1, true);
        this.closeUnmatched();
        this.addChild('blockquote', this.nextNonspace);
        return 1;
      }
      const atx = ATX_HEADING.exec(rest);
      if (atx) {
        this.closeUnmatched();
        const heading = this.addChild('heading', this.nextNonspace);
        heading.depth = atx[0].trim().length;
        heading.lines = [rest.slice(atx[0].length).replace(/^[ \t]*#+[ \t]*$/, '').replace(/[ \t]+#+[ \t]*$/, '').trim()];
        this.lineConsumed = true;
        return 2;
      }
      const fence = FENCE_OPEN.exec(rest);
      if (fence) {
        this.closeUnmatched();
        const code = this.addChild('code', this.nextNonspace);
        code.fence = { char: fence[0][0]!, length: fence[0].length, indent: this.indent };
        this.lineConsumed = true;
        return 2;
      }
      if (first === '<') {
        const paragraphTip = container.type === 'paragraph' || (!this.allClosed && !this.blank && this.tip.type === 'paragraph');
        const htmlType = HTML_BLOCKS.findIndex((kind) => kind.start.test(rest) && (kind.interruptsParagraph || !paragraphTip));
        if (htmlType >= 0) {
          this.closeUnmatched();
          const html = this.addChild('html', this.offset);
          html.htmlType = htmlType;
          return 2;
        }
      }
      if (container.type === 'paragraph' && this.startTable(container, rest)) return 2;
      if (container.type === 'paragraph' && SETEXT_UNDERLINE.test(rest)) {
        this.closeUnmatched();
        container.type = 'heading';
        container.depth = first === '=' ? 1 : 2;
        const item = container.parent;
        if (item?.type === 'listItem' && item.taskMarker !== undefined && item.children[0] === container) {
          // Like remark-gfm: a task item whose text becomes a setext heading is no task; the
          // marker stays in the heading's text.
          item.checked = undefined;
          container.lines[0] = `${item.taskMarker.trimEnd()} ${container.lines[0] ?? ''}`;
        }
        container.lastLine = this.lineNumber;
        this.lineConsumed = true;
        return 2;
      }
      if (THEMATIC_BREAK.test(rest)) {
        this.closeUnmatched();
        this.addChild('thematicBreak', this.nextNonspace);
        this.lineConsumed = true;
        return 2;
      }
    }
    if ((!this.indented || container.type === 'list') && !deepest && this.startListItem(container)) return 1;
    if (this.indented && this.tip.type !== 'paragraph' && !this.blank) {
      // Like remark, indented code starts where its indentation starts.
      const start = this.offset;
      this.advanceOffset(4, true);
      this.closeUnmatched();
      this.addChild('code', start);
      return 2;
    }
    return 0;
  }

  /** A GFM delimiter row under a paragraph line with as many cells makes that line a header. */
  private startTable(paragraph: Block, rest: string): boolean {
    const columns = delimiterColumns(rest);
    const header = paragraph.lines.at(-1);
    if (columns === undefined || header === undefined) return false;
    if (!header.includes('|') && !rest.includes('|')) return false;
    if (tableCells(header).length !== columns) return false;
    this.closeUnmatched();
    const headerLine = paragraph.lineNumbers.at(-1)!;
    paragraph.lines.pop();
    paragraph.lineNumbers.pop();
    const parent = paragraph.parent!;
    if (paragraph.lines.length === 0) parent.children.pop();
    else paragraph.lastLine = paragraph.lineNumbers.at(-1)!;
    paragraph.open = false;
    const table = this.block('table', headerLine, Math.max(0, this.lines[headerLine - 1]!.indexOf(header)));
    table.parent = parent;
    parent.children.push(table);
    this.tip = table;
    table.lines.push(header);
    table.lineNumbers.push(headerLine);
    table.lastLine = this.lineNumber;
    this.lineConsumed = true;
    return true;
  }

  private startListItem(container: Block): boolean {
    // micromark (remark's tokenizer) lets an open indented code block be interrupted only the
    // way a paragraph is: after one, `10) x` and an empty `-` are text, not list items.
    const afterIndentedCode = this.tip.type === 'code' && !this.tip.fence && this.tip.parent === container;
    const list = this.readListMarker(container.type === 'paragraph' || afterIndentedCode);
    if (!list) return false;
    const { markerColumn } = list;
    this.closeUnmatched();
    if (this.tip.type !== 'list' || this.tip.list!.ordered !== list.ordered || this.tip.list!.marker !== list.marker) {
      this.addChild('list', markerColumn).list = list;
    }
    const item = this.addChild('listItem', markerColumn);
    item.list = list;
    const task = TASK.exec(this.line.slice(this.offset));
    if (task && /\S/.test(this.line.slice(this.offset + task[0].length))) {
      item.checked = task[1] !== ' ';
      item.taskMarker = task[0];
      this.advanceOffset(task[0].length, false);
    }
    return true;
  }

  private addChild(type: Block['type'], offset: number): Block {
    while (!canContain(this.tip.type, type)) this.finalize(this.tip);
    const child = this.block(type, this.lineNumber, offset);
    child.parent = this.tip;
    child.nesting = this.tip.nesting + 1;
    this.tip.children.push(child);
    this.tip = child;
    return child;
  }

  private addLine(block: Block, content: string): void {
    block.lines.push(content);
    block.lineNumbers.push(this.lineNumber);
    block.lastLine = this.lineNumber;
  }

  private closeUnmatched(): void {
    if (this.allClosed) return;
    while (this.oldTip !== this.lastMatched) {
      const parent = this.oldTip.parent!;
      this.finalize(this.oldTip);
      this.oldTip = parent;
    }
    this.allClosed = true;
  }

  protected finalize(block: Block): void {
    block.open = false;
    if (block === this.tip && block.parent) this.tip = block.parent;
  }
}

function canContain(parent: Block['type'], child: Block['type']): boolean {
  if (parent === 'root' || parent === 'blockquote' || parent === 'listItem') return child !== 'listItem';
  return parent === 'list' && child === 'listItem';
}
