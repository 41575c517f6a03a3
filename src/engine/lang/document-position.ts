/**
 * Source → document: where an offset or a line of a cell's source (as run) stands in the
 * Markdown file, so every message about a cell points at the line an author can click. A
 * console session runs only its commands: its lines map back through `session.sourceLines`.
 */
import type { Cell } from '../runbook.js';

/** 1-based line and column of a character offset. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  return positioner(text)(offset);
}

/** Places many offsets in one text, each by binary search over its line starts. */
export function positioner(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - starts[low]! + 1 };
  };
}

/** The document line of line `line` (1-based) of the cell's source as run. */
export function documentLine(cell: Pick<Cell, 'sourceLine' | 'session'>, line: number): number {
  const written = cell.session ? cell.session.sourceLines[line - 1] ?? line : line;
  return cell.sourceLine + written - 1;
}

/** The document line and column of `offset` in the cell's source (the first line starts at the fence's column). */
export function documentAt(cell: Pick<Cell, 'source' | 'sourceLine' | 'column' | 'session'>, offset: number): { line: number; column: number } {
  const { line, column } = positionAt(cell.source, offset);
  return { line: documentLine(cell, line), column: (line === 1 ? cell.column : 1) + column - 1 };
}
