/**
 * Sections that hold prose and no cell (the client's "Symptoms"): what the engineer reads
 * before the first step, shown by `list` and in the console where they stand in the
 * document. A section holding the postmortem checklist is left out: the checklist is shown
 * as a checklist.
 */
import type { Runbook } from './runbook.js';

export interface ProseSection {
  title: string;
  /** Heading texts from the top down to and including this one. */
  path: string[];
  line: number;
  /** The Markdown under the heading, as written. */
  prose: string;
  /** The first cell after it in the document; absent when it comes after every cell. */
  before?: string;
}

export function proseSections(runbook: Pick<Runbook, 'sections' | 'cells' | 'checklist'>): ProseSection[] {
  const checklist = new Set(runbook.checklist.map((item) => item.section.join('\u0000')));
  return runbook.sections.flatMap((section) => {
    if (!section.prose?.trim() || checklist.has(section.path.join('\u0000'))) return [];
    const next = runbook.cells.find((cell) => cell.line > section.line);
    return [{ title: section.title, path: section.path, line: section.line, prose: section.prose, ...(next ? { before: next.id } : {}) }];
  });
}
