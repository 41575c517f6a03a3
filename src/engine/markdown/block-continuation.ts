/**
 * Whether the current line continues an open block (CommonMark's "continuation" step,
 * commonmark.js `blocks[type].continue`), consuming the block's own markers and indentation.
 * The scanner that opens and closes blocks builds on it.
 */
import type { Block } from './block-tree.js';
import { isSpaceOrTab, LineCursor } from './line-cursor.js';

export abstract class BlockContinuation extends LineCursor {
  /** Closes a block; a closing fence closes its code block here. */
  protected abstract finalize(block: Block): void;

  /** 0: the line continues the block; 1: it does not; 2: the line closed it (fence). */
  protected continues(block: Block): 0 | 1 | 2 {
    switch (block.type) {
      case 'blockquote':
        if (this.indented || this.line[this.nextNonspace] !== '>') return 1;
        this.advanceNextNonspace();
        this.advanceOffset(1, false);
        if (isSpaceOrTab(this.line[this.offset])) this.advanceOffset(1, true);
        return 0;
      case 'listItem': {
        const { markerOffset, padding } = block.list!;
        if (this.blank) {
          if (block.children.length === 0) return 1;
          this.advanceNextNonspace();
        } else if (this.indent >= markerOffset + padding) this.advanceOffset(markerOffset + padding, true);
        else return 1;
        return 0;
      }
      case 'code':
        return this.continuesCode(block);
      case 'html':
        return this.blank && (block.htmlType === 5 || block.htmlType === 6) ? 1 : 0;
      case 'paragraph':
      case 'table':
        return this.blank ? 1 : 0;
      case 'list':
        return 0;
      default:
        return 1;
    }
  }

  private continuesCode(block: Block): 0 | 1 | 2 {
    const fence = block.fence;
    if (fence) {
      const closing = this.indented ? null : /^(`{3,}|~{3,})[ \t]*$/.exec(this.line.slice(this.nextNonspace));
      if (closing && closing[1]!.length >= fence.length && closing[1]![0] === fence.char) {
        block.lastLine = this.lineNumber;
        block.closed = true;
        this.finalize(block);
        return 2;
      }
      for (let skip = fence.indent; skip > 0 && isSpaceOrTab(this.line[this.offset]); skip -= 1) this.advanceOffset(1, true);
      return 0;
    }
    if (this.indent >= 4) this.advanceOffset(4, true);
    else if (this.blank) this.advanceNextNonspace();
    else return 1;
    return 0;
  }
}
