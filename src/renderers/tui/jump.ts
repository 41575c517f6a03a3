/**
 * `g`: which cell the operator means. A number is the cell's place in the outline (from
 * 1); otherwise the id or the heading, matched exactly, then by prefix, then anywhere,
 * then as letters in order (fuzzy). The best kind of match that finds anything wins;
 * it must find exactly one cell to jump, else the candidates are shown.
 */
import type { ConsoleState } from './state.js';

export interface JumpMatch {
  /** The one cell meant, when there is exactly one. */
  cell?: string;
  /** Every cell the text could mean, in outline order (at most `limit`). */
  candidates: string[];
  /** How many matched in all (candidates may be fewer). */
  total: number;
}

type Tier = (text: string, query: string) => boolean;

const TIERS: Tier[] = [
  (text, query) => text === query,
  (text, query) => text.startsWith(query),
  (text, query) => text.split(/[^\p{L}\p{N}]+/u).some((word) => word.startsWith(query)),
  (text, query) => text.includes(query),
  (text, query) => inOrder(text, query),
];

export function matchJump(state: ConsoleState, typed: string, limit = 6): JumpMatch {
  const query = typed.trim().toLowerCase();
  if (!query) return { candidates: [], total: 0 };
  if (/^\d+$/.test(query)) {
    const id = state.order[Number(query) - 1];
    return id === undefined ? { candidates: [], total: 0 } : { cell: id, candidates: [id], total: 1 };
  }
  // At each kind of match the id is tried before the heading (cells under one heading share it).
  for (const tier of TIERS) {
    for (const text of [idText, headingText]) {
      const found = state.order.filter((id) => {
        const candidate = text(state, id);
        return candidate !== undefined && tier(candidate, query);
      });
      if (found.length) return { ...(found.length === 1 ? { cell: found[0] } : {}), candidates: found.slice(0, limit), total: found.length };
    }
  }
  return { candidates: [], total: 0 };
}

/** The candidates as one line: `3 who-am-i · 5 stuck-jobs`, numbered as in the outline. */
export function candidateLine(state: ConsoleState, match: JumpMatch): string {
  const shown = match.candidates.map((id) => `${state.order.indexOf(id) + 1} ${id}`).join(' · ');
  return match.total > match.candidates.length ? `${shown} · … ${match.total - match.candidates.length} more` : shown;
}

function idText(_state: ConsoleState, id: string): string {
  return id.toLowerCase();
}

function headingText(state: ConsoleState, id: string): string | undefined {
  const cell = state.cells[id];
  return cell?.section[cell.section.length - 1]?.toLowerCase();
}

function inOrder(text: string, query: string): boolean {
  let at = 0;
  for (const ch of query) {
    at = text.indexOf(ch, at);
    if (at === -1) return false;
    at += ch.length;
  }
  return true;
}
