/**
 * A position in the current line, in characters and in tab-expanded columns, the way the
 * CommonMark reference implementation tracks it (tabs are 4-column stops and may be
 * consumed partially, as when a list item's content starts inside a tab).
 */

import { BULLET, ORDERED } from './block-starts.js';

export interface ListMarker {
  ordered: boolean;
  /** The bullet (`-`, `*`, `+`) or the ordered delimiter (`.`, `)`). */
  marker: string;
  markerOffset: number;
  /** Columns from the marker to the item's content. */
  padding: number;
  markerColumn: number;
}

export const isSpaceOrTab = (char: string | undefined) => char === ' ' || char === '\t';

export class LineCursor {
  protected line = '';
  protected lineNumber = 0;
  protected offset = 0;
  protected column = 0;
  protected nextNonspace = 0;
  protected nextNonspaceColumn = 0;
  protected indent = 0;
  protected indented = false;
  protected blank = false;
  protected partiallyConsumedTab = false;

  /** The last scan's line, where it started, and the non-space it found. */
  private scanned = { line: '', lineNumber: -1, from: 0, at: 0, columns: 0 };

  protected findNextNonspace(): void {
    let at = this.offset;
    let columns = this.column;
    const last = this.scanned;
    if (last.lineNumber === this.lineNumber && last.line === this.line && last.from <= at && at <= last.at) {
      // Still inside the whitespace the last scan crossed: the same non-space. Without this,
      // every nested container would rescan the line's indentation, cubic in the nesting depth.
      at = last.at;
      columns = last.columns;
    } else {
      for (;;) {
        const char = this.line[at];
        if (char === ' ') columns += 1;
        else if (char === '\t') columns += 4 - (columns % 4);
        else break;
        at += 1;
      }
      this.scanned = { line: this.line, lineNumber: this.lineNumber, from: this.offset, at, columns };
    }
    this.blank = at >= this.line.length;
    this.nextNonspace = at;
    this.nextNonspaceColumn = columns;
    this.indent = columns - this.column;
    this.indented = this.indent >= 4;
  }

  protected advanceOffset(count: number, columns: boolean): void {
    while (count > 0 && this.offset < this.line.length) {
      if (this.line[this.offset] === '\t') {
        const toTab = 4 - (this.column % 4);
        if (columns) {
          this.partiallyConsumedTab = toTab > count;
          const advance = Math.min(toTab, count);
          this.column += advance;
          if (!this.partiallyConsumedTab) this.offset += 1;
          count -= advance;
        } else {
          this.partiallyConsumedTab = false;
          this.column += toTab;
          this.offset += 1;
          count -= 1;
        }
      } else {
        this.partiallyConsumedTab = false;
        this.offset += 1;
        this.column += 1;
        count -= 1;
      }
    }
  }

  protected advanceNextNonspace(): void {
    this.offset = this.nextNonspace;
    this.column = this.nextNonspaceColumn;
    this.partiallyConsumedTab = false;
  }

  protected restOfLine(): string {
    if (!this.partiallyConsumedTab) return this.line.slice(this.offset);
    return ' '.repeat(4 - (this.column % 4)) + this.line.slice(this.offset + 1);
  }

  /**
   * Reads a list marker at the next non-space and moves past it and the spaces that
   * belong to it; undefined (cursor untouched) when the line starts no list item.
   */
  protected readListMarker(interruptsParagraph: boolean): ListMarker | undefined {
    if (this.indent >= 4) return undefined;
    const rest = this.line.slice(this.nextNonspace);
    const bullet = BULLET.exec(rest);
    const ordered = bullet ? null : ORDERED.exec(rest);
    const marker = bullet?.[0] ?? ordered?.[0];
    if (!marker) return undefined;
    if (ordered && interruptsParagraph && ordered[1] !== '1') return undefined;
    const after = this.line[this.nextNonspace + marker.length];
    if (after !== undefined && !isSpaceOrTab(after)) return undefined;
    if (interruptsParagraph && !/\S/.test(rest.slice(marker.length))) return undefined;
    const markerOffset = this.indent;
    const markerColumn = this.nextNonspace;
    this.advanceNextNonspace();
    this.advanceOffset(marker.length, true);
    const spacesStartColumn = this.column;
    const spacesStartOffset = this.offset;
    do this.advanceOffset(1, true);
    while (this.column - spacesStartColumn < 5 && isSpaceOrTab(this.line[this.offset]));
    const blankItem = this.offset >= this.line.length;
    const spaces = this.column - spacesStartColumn;
    let padding = marker.length + spaces;
    if (spaces >= 5 || spaces < 1 || blankItem) {
      padding = marker.length + 1;
      this.column = spacesStartColumn;
      this.offset = spacesStartOffset;
      if (isSpaceOrTab(this.line[this.offset])) this.advanceOffset(1, true);
    }
    return { ordered: !!ordered, marker: bullet ? marker : ordered![2]!, markerOffset, padding, markerColumn };
  }
}
