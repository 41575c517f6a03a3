/**
 * One pass over the mdast tree in document order: sections from headings, cell drafts
 * from executable fences (at any depth: list items, blockquotes), the prose before each
 * cell, checklists, the escalation line, frontmatter. Linear in the size of the tree.
 */
import type { Code, Heading, Nodes, Parents, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { ChecklistItem, Diagnostic, Lang, Section } from '../runbook.js';
import { readInfoString, type InfoString } from './attributes.js';
import { checklistItemFromListItem, checklistItemsFromTable } from './checklist.js';
import { budgetFromHeading } from './durations.js';
import { readEscalation, type Escalation } from './escalation.js';
import { fenceOf } from './fences.js';
import type { FrontmatterFormat } from './frontmatter.js';
import { cellLanguage, nearMissLanguage } from '../lang/languages.js';
import { languageOf } from '../lang/language.js';
import { slug, UniqueIds } from './slug.js';

export interface CellDraft {
  node: Code;
  lang: Lang;
  info: InfoString;
  section: Section | undefined;
  prose: string;
}

export interface WalkResult {
  /** The frontmatter's text, YAML unless `frontmatterFormat` says otherwise. */
  yaml?: string;
  frontmatterFormat?: FrontmatterFormat;
  sections: Section[];
  drafts: CellDraft[];
  /** Fences that are not cells but that Runme would name (unnamed, fenced): their line and text. */
  otherFences: { line: number; value: string }[];
  checklist: ChecklistItem[];
  escalation?: Escalation;
  diagnostics: Diagnostic[];
}

export function walkTree(tree: Root, text: string, starts: number[]): WalkResult {
  const result: WalkResult = { sections: [], drafts: [], otherFences: [], checklist: [], diagnostics: [] };
  const sectionIds = new UniqueIds();
  const stack: Section[] = [];
  let prose: string[] = [];
  const hasCell = new WeakMap<Nodes, boolean>();
  const containers: string[] = [];

  const containsCell = (node: Nodes): boolean => {
    const known = hasCell.get(node);
    if (known !== undefined) return known;
    let found = false;
    if (node.type === 'code') {
      const fence = fenceOf(node, text, starts);
      found = !!fence && !!cellLanguage(readInfoString(fence.info));
    }
    else if ('children' in node) found = (node.children as Nodes[]).some(containsCell);
    hasCell.set(node, found);
    return found;
  };

  const rawSlice = (node: Nodes) => {
    const { start, end } = node.position ?? {};
    return start?.offset === undefined || end?.offset === undefined ? '' : text.slice(start.offset, end.offset).trim();
  };

  const section = () => stack[stack.length - 1];
  const sectionPath = () => section()?.path ?? [];

  /** The section whose prose is being gathered, and how many cells there were when it began. */
  let open: { section: Section; drafts: number } | undefined;
  /** A section with no cell of its own (Symptoms, Escalation) keeps its prose. */
  const closeSection = () => {
    if (open && result.drafts.length === open.drafts && prose.length) open.section.prose = prose.join('\n\n');
  };

  const onHeading = (node: Heading) => {
    closeSection();
    const title = toString(node).trim();
    while (stack.length > 0 && stack[stack.length - 1]!.depth >= node.depth) stack.pop();
    const entry: Section = {
      id: sectionIds.take(slug(title) || 'section'),
      title,
      depth: node.depth,
      line: node.position?.start.line ?? 0,
      path: [...sectionPath(), title],
    };
    const budgetMs = budgetFromHeading(title);
    if (budgetMs !== undefined) entry.budgetMs = budgetMs;
    stack.push(entry);
    result.sections.push(entry);
    open = { section: entry, drafts: result.drafts.length };
    prose = [];
  };

  const onCode = (node: Code, collectProse: boolean) => {
    const fence = fenceOf(node, text, starts);
    const line = node.position?.start.line ?? 0;
    const column = node.position?.start.column ?? 1;
    const info = fence ? readInfoString(fence.info) : undefined;
    const lang = info ? cellLanguage(info) : undefined;
    if (fence?.unclosed) {
      // An unclosed documentation fence that ends with its list item is how many real
      // runbooks are written and renders as meant; one that eats the document is not.
      const toEnd = (node.position?.end.offset ?? 0) >= text.trimEnd().length;
      // Left open as the last thing in the file, it swallows nothing unless what it holds
      // reads as Markdown (a heading, another fence's opening): then a close was forgotten.
      const swallows = toEnd && holdsMarkdown(node.value, lang);
      const fatal = (Boolean(lang) && !toEnd) || swallows;
      result.diagnostics.push({
        severity: fatal ? 'error' : 'warning', line, column, rule: 'unclosed-fence',
        message: swallows
          ? 'code fence is never closed, so it swallows the rest of the document; add a closing fence'
          : toEnd
            ? 'code fence is never closed; it ends with the document, add a closing fence'
            : `code fence is never closed, so it ends with its ${containers[containers.length - 1] ?? 'block'}; add a closing fence`,
      });
    }
    if (!info || !lang) {
      const meant = info ? nearMissLanguage(info.tag) : undefined;
      if (meant) {
        result.diagnostics.push({
          severity: 'warning', line, column, rule: 'unknown-language',
          message: `fence language "${info!.tag}" is not executable; did you mean "${meant}"?`,
        });
      }
      if (info && info.attributes.name === undefined) result.otherFences.push({ line, value: node.value });
      if (collectProse) prose.push(rawSlice(node));
      return;
    }
    for (const problem of info.problems) {
      result.diagnostics.push({ severity: 'warning', line, column, rule: 'bad-attribute', message: problem });
    }
    result.drafts.push({ node, lang, info, section: section(), prose: prose.join('\n\n') });
    prose = [];
  };

  const visit = (node: Nodes, collectProse: boolean): void => {
    switch (node.type) {
      case 'yaml':
        if (result.yaml === undefined && node.position?.start.line === 1) {
          result.yaml = node.value;
          result.frontmatterFormat = (node.data as { format?: FrontmatterFormat } | undefined)?.format ?? 'yaml';
        }
        return;
      case 'heading':
        onHeading(node);
        return;
      case 'code':
        onCode(node, collectProse);
        return;
      case 'paragraph': {
        const escalation = result.escalation ? undefined : readEscalation(toString(node));
        if (escalation) result.escalation = escalation;
        break;
      }
      case 'listItem': {
        const item = checklistItemFromListItem(node, sectionPath());
        if (item) result.checklist.push(item);
        break;
      }
      case 'table':
        for (const item of checklistItemsFromTable(node, sectionPath())) result.checklist.push(item);
        break;
      case 'thematicBreak':
      case 'definition':
        return;
      case 'html':
        if (collectProse && !/^<!--[\s\S]*-->$/.test(node.value.trim())) prose.push(rawSlice(node));
        return;
    }
    if (!('children' in node)) {
      if (collectProse) prose.push(rawSlice(node));
      return;
    }
    const descend = collectProse && containsCell(node) && isBlockContainer(node);
    if (collectProse && !descend) prose.push(rawSlice(node));
    const container = node.type === 'listItem' ? 'list item' : node.type === 'blockquote' ? 'blockquote' : undefined;
    if (container) containers.push(container);
    for (const child of (node as Parents).children as Nodes[]) visit(child, descend);
    if (container) containers.pop();
  };

  for (const child of tree.children) visit(child, true);
  closeSection();
  return result;
}

/** Lines that are Markdown, not code: a fence opening with a language, or (outside languages whose comments start `#`) a heading. */
function holdsMarkdown(value: string, lang: Lang | undefined): boolean {
  const heading = lang && languageOf(lang).lineComment === '#' ? undefined : /^ {0,3}#{1,6}[ \t]+\S/m;
  return /^ {0,3}(?:`{3,}|~{3,})[ \t]*[^\s`]/m.test(value) || (heading?.test(value) ?? false);
}

function isBlockContainer(node: Nodes): boolean {
  return node.type === 'list' || node.type === 'listItem' || node.type === 'blockquote' || node.type === 'root';
}
