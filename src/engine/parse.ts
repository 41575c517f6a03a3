/**
 * Markdown → Runbook, exactly the contract in DESIGN.md. `parseRunbook` never throws:
 * whatever is wrong with the document becomes a diagnostic with a line and column.
 */
import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';
import type { Root } from 'mdast';
import { scanBlocks } from './markdown/blocks.js';
import { MAX_NESTING } from './markdown/block-tree.js';
import { buildCells, type CellDefaults } from './markdown/cells.js';
import { lineStarts } from './markdown/fences.js';
import { prepareFrontmatterReader, readFrontmatter } from './markdown/frontmatter.js';
import { readRunbookText } from './markdown/read-file.js';
import { walkTree } from './markdown/walk.js';
import type { Runbook } from './runbook.js';

/** Reads and parses a runbook; bad input (missing, directory, binary, empty) is an InputError. */
export async function readRunbookFile(path: string): Promise<Runbook> {
  return parseRunbookText(await readRunbookText(path), path);
}

/** parseRunbook for a text read from a file: loads what its frontmatter needs first (as an import, cheaper than on the spot). */
export async function parseRunbookText(text: string, path: string): Promise<Runbook> {
  await prepareFrontmatterReader(text);
  return parseRunbook(text, path);
}

/**
 * Parses Markdown into the runbook model. `readTree` turns the text into mdast; the
 * default is the linear block scanner, tests pass remark to check the two agree.
 */
export function parseRunbook(text: string, path: string, readTree: (markdown: string) => Root = scanBlocks): Runbook {
  const sha256 = createHash('sha256').update(text, 'utf8').digest('hex');
  // Lines and columns are what an editor shows: a BOM is no character, CRLF one line end.
  const source = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const runbook: Runbook = {
    path,
    title: basename(path, extname(path)),
    sha256,
    frontmatter: {},
    variables: [],
    sections: [],
    cells: [],
    checklist: [],
    diagnostics: [],
  };
  let tree: Root;
  try {
    tree = readTree(source);
  } catch (error) {
    runbook.diagnostics.push({
      severity: 'error', line: 1, column: 1, rule: 'markdown',
      message: `cannot read the Markdown: ${(error as Error).message}`,
    });
    return runbook;
  }
  const starts = lineStarts(source);
  const walked = walkTree(tree, source, starts);
  runbook.sections = walked.sections;
  runbook.checklist = walked.checklist;
  // Not a spread: a runbook of 200,000 cells can have that many diagnostics, past the argument limit.
  for (const diagnostic of walked.diagnostics) runbook.diagnostics.push(diagnostic);
  const capped = (tree.data as { nestingCappedAt?: number } | undefined)?.nestingCappedAt;
  if (capped !== undefined) {
    runbook.diagnostics.push({
      severity: 'warning', line: capped, column: 1, rule: 'too-deep',
      message: `lists and blockquotes nest more than ${MAX_NESTING} blocks deep here (a list level is two: the list and its item); deeper markers are read as text`,
    });
  }
  if (walked.escalation) {
    runbook.escalation = walked.escalation.text;
    if (walked.escalation.afterMs !== undefined) runbook.escalationAfterMs = walked.escalation.afterMs;
  }
  let defaults: CellDefaults = {};
  if (walked.yaml !== undefined) {
    const frontmatter = readFrontmatter(walked.yaml, walked.frontmatterFormat);
    defaults = frontmatter.cellDefaults;
    runbook.frontmatter = frontmatter.data;
    runbook.variables = frontmatter.variables;
    if (frontmatter.database !== undefined) runbook.database = frontmatter.database;
    if (frontmatter.title !== undefined) runbook.title = frontmatter.title;
    for (const problem of frontmatter.problems) {
      // The YAML parser names its line within the block, which starts on the document's line 2.
      const at = /\bat line (\d+), column (\d+)/.exec(problem);
      const line = at && walked.frontmatterFormat !== 'json' ? Number(at[1]) + 1 : 1;
      runbook.diagnostics.push({ severity: 'error', line, column: at ? Number(at[2]) : 1, rule: 'frontmatter', message: problem });
    }
  }
  const h1 = walked.sections.find((section) => section.depth === 1);
  if (h1 && h1.title) runbook.title = h1.title;
  runbook.cells = buildCells(walked.drafts, runbook.diagnostics, defaults, walked.otherFences);
  runbook.diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return runbook;
}
