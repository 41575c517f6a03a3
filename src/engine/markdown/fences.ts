/**
 * Facts about a code node that mdast does not keep: whether it was fenced at all (indented
 * code never is), its raw info string, and whether its closing fence exists. remark lets an
 * unclosed fence run to the end of its container, silently swallowing the rest.
 */
import type { Code } from 'mdast';

export interface Fence {
  /** The info string as written after the fence characters. */
  info: string;
  /** True when the fence never closes. */
  unclosed: boolean;
}

/** Offsets where each line starts; line N (1-based) starts at `starts[N - 1]`. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
  return starts;
}

/** The text of a 1-based line, without its line ending. */
export function lineText(text: string, starts: number[], line: number): string {
  const start = starts[line - 1];
  if (start === undefined) return '';
  const next = starts[line];
  return text.slice(start, next === undefined ? text.length : next - 1).replace(/\r$/, '');
}

/** The fence of a code node, or undefined for indented code. */
export function fenceOf(node: Code, text: string, starts: number[]): Fence | undefined {
  const start = node.position?.start;
  const end = node.position?.end;
  if (!start || !end || start.offset === undefined) return undefined;
  const opening = /^(`{3,}|~{3,})(.*)$/.exec(lineText(text, starts, start.line).slice(start.column - 1));
  if (!opening) return undefined;
  const marker = opening[1]!;
  // The block scanner knows; for other mdast trees, look at the fence's last line (only
  // what the node covers of it: remark may end a node at column 1 of the next line).
  const known = (node.data as { fenceClosed?: boolean } | undefined)?.fenceClosed;
  const openingPrefix = lineText(text, starts, start.line).slice(0, start.column - 1);
  const lastLine = lineText(text, starts, end.line).slice(0, end.column - 1);
  const unclosed = known === undefined ? !closes(lastLine, openingPrefix, marker, end.line > start.line) : !known;
  return { info: opening[2]!.trim(), unclosed };
}

function closes(lastLine: string, openingPrefix: string, marker: string, hasMoreLines: boolean): boolean {
  if (!hasMoreLines) return false;
  const match = /^([\s>]*?)(`+|~+)[ \t]*$/.exec(lastLine);
  if (!match || match[2]![0] !== marker[0] || match[2]!.length < marker.length) return false;
  // Same container (as many `>`), and indented at most 3 columns more than the opening fence.
  const quotes = (prefix: string) => prefix.split('>').length;
  const width = (prefix: string) => prefix.replace(/>/g, '').replace(/\t/g, '    ').length;
  return quotes(match[1]!) === quotes(openingPrefix) && width(match[1]!) <= width(openingPrefix) + 3;
}
