/**
 * Checklists: GFM task list items (`- [ ] item`), list items starting with ☐/☑, and
 * tables with a column of ☐/☑ (with an Owner column when there is one).
 */
import type { ListItem, Table, TableCell } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { ChecklistItem } from '../runbook.js';

const UNCHECKED = new Set(['☐', '[ ]', '⬜', '□']);
const CHECKED = new Set(['☑', '☒', '✅', '✓', '✔', '✔️', '[x]', '[X]']);
const LEADING_BOX = /^\s*(☐|☑|☒|✅|✓|✔️?|⬜|□)\s*/u;

/** Reads a box such as `☐` or `☑`; undefined when the text is not a box. */
function boxState(text: string): boolean | undefined {
  const trimmed = text.trim();
  if (UNCHECKED.has(trimmed)) return false;
  if (CHECKED.has(trimmed)) return true;
  return undefined;
}

export function checklistItemFromListItem(item: ListItem, section: string[]): ChecklistItem | undefined {
  const line = item.position?.start.line ?? 0;
  const first = item.children[0];
  const text = first && first.type === 'paragraph' ? toString(first).trim() : toString(item).trim();
  if (typeof item.checked === 'boolean') return { text, checked: item.checked, line, section };
  const box = LEADING_BOX.exec(text);
  if (!box) return undefined;
  return { text: text.slice(box[0].length).trim(), checked: boxState(box[1]!) ?? false, line, section };
}

export function checklistItemsFromTable(table: Table, section: string[]): ChecklistItem[] {
  const [header, ...body] = table.children;
  if (!header || body.length === 0) return [];
  const headings = header.children.map((cell) => cellText(cell).toLowerCase());
  const columns = headings.length;
  const boxColumn = findBoxColumn(body, columns);
  if (boxColumn === undefined) return inlineBoxItems(table, section);
  const ownerColumn = headings.findIndex((heading) => /^(owner|who|assignee)s?$/.test(heading));
  const named = headings.findIndex((heading, index) => index !== boxColumn && /^(item|task|step|check|action|what)s?$/.test(heading));
  const textColumn = named >= 0 ? named : [...Array(columns).keys()].find((index) => index !== boxColumn && index !== ownerColumn);
  if (textColumn === undefined) return [];
  return body.map((row) => {
    const cells = row.children;
    const item: ChecklistItem = {
      text: cellText(cells[textColumn]),
      checked: boxState(cellText(cells[boxColumn])) ?? false,
      line: row.position?.start.line ?? 0,
      section,
    };
    // An empty Owner cell is kept as '': the column is there to be filled in, and the timeline keeps it.
    if (ownerColumn >= 0) item.owner = cellText(cells[ownerColumn]);
    return item;
  });
}

/** The column whose every body cell is a box (empty cells allowed, at least one box). */
function findBoxColumn(body: Table['children'], columns: number): number | undefined {
  for (let column = 0; column < columns; column += 1) {
    let boxes = 0;
    let other = 0;
    for (const row of body) {
      const text = cellText(row.children[column]);
      if (boxState(text) !== undefined) boxes += 1;
      else if (text !== '') other += 1;
    }
    if (boxes > 0 && other === 0) return column;
  }
  return undefined;
}

/** Rows whose first cell starts with a box, e.g. `| ☐ Root cause found | … |`. */
function inlineBoxItems(table: Table, section: string[]): ChecklistItem[] {
  const items: ChecklistItem[] = [];
  for (const row of table.children.slice(1)) {
    const text = cellText(row.children[0]);
    const box = LEADING_BOX.exec(text);
    if (!box) continue;
    items.push({ text: text.slice(box[0].length).trim(), checked: boxState(box[1]!) ?? false, line: row.position?.start.line ?? 0, section });
  }
  return items;
}

function cellText(cell: TableCell | undefined): string {
  return cell ? toString(cell).trim() : '';
}
