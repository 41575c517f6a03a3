/**
 * A Mermaid `gantt` chart of the cells on the run's clock, which GitHub and GitLab draw
 * inside Markdown. Times are milliseconds since RUN STARTED (`dateFormat x`), so the axis
 * reads minutes:seconds into the incident; failed and timed-out cells are `crit`.
 */
import type { CellSpan } from './model.js';
import { duration } from '../text/time.js';
import { STATUS_GLYPH } from '../text/status.js';

const MARK: Record<CellSpan['status'], string> = { ...STATUS_GLYPH, unfinished: '…' };
const TAG: Record<CellSpan['status'], string> = {
  succeeded: 'done, ', failed: 'crit, ', 'timed-out': 'crit, ', cancelled: 'active, ', skipped: '', unfinished: 'active, ',
};

/** A bar shorter than this share of the axis is invisible; bars are drawn at least this long. */
const MIN_SHARE = 0.01;

export function ganttLines(spans: CellSpan[], title: string | undefined): string[] {
  const drawn = spans.filter((s) => s.status !== 'skipped');
  if (!drawn.length) return [];
  // reduce, not Math.min(...spans): a run of 200,000 cells overflows the argument limit.
  const first = drawn.reduce((least, s) => Math.min(least, s.startMs), Infinity);
  const longest = drawn.reduce((most, s) => Math.max(most, s.endMs), -Infinity);
  const axis = Math.max(1, longest - Math.min(0, first));
  const minBar = Math.ceil(axis * MIN_SHARE);
  if (!drawn.some((s) => s.endMs - s.startMs >= minBar)) {
    // Every cell would be a sliver on this axis: the chart would show nothing.
    const took = drawn.map((s) => s.endMs - s.startMs);
    const total = took.reduce((sum, ms) => sum + ms, 0);
    return [
      `The ${drawn.length} ${drawn.length === 1 ? 'cell' : 'cells'} took ${duration(took.reduce((a, b) => Math.min(a, b), Infinity))} to ${duration(took.reduce((a, b) => Math.max(a, b), -Infinity))} each, ` +
        `${duration(total)} in all, of ${duration(axis)} on the run's clock; the rest was reading, deciding and waiting. ` +
        'Each is under 1% of the run, so no chart is drawn.',
    ];
  }
  const lines = ['```mermaid', 'gantt', `    title ${safe('Cells on the run clock (time since RUN STARTED)')}`, '    dateFormat x', `    axisFormat ${longest >= 3_600_000 ? '%H:%M:%S' : '%M:%S'}`];
  let section: string | undefined;
  drawn.forEach((span, i) => {
    const label = sectionOf(span.section, title);
    if (label !== section) {
      section = label;
      lines.push(`    section ${safe(label) || 'Cells'}`);
    }
    const attempt = span.attempt > 1 ? ` attempt ${span.attempt}` : '';
    const took = span.status === 'unfinished' ? 'unfinished' : duration(span.endMs - span.startMs);
    const name = safe(`${span.cell}${attempt} ${MARK[span.status]} ${took}`);
    // A bar under 1% of the axis is not seen at all; a short cell still gets a visible sliver.
    const end = Math.max(span.endMs, span.startMs + minBar, span.startMs + 1);
    lines.push(`    ${name} :${TAG[span.status]}c${i}, ${Math.max(0, span.startMs)}, ${end}`);
  });
  return [...lines, '```'];
}

function sectionOf(section: string[], title: string | undefined): string {
  const path = section[0] === title ? section.slice(1) : section;
  return path.at(-1) ?? '';
}

/** Mermaid reads `:` as the start of a task's data and `#`/`;` as syntax; none may appear in names. */
function safe(text: string): string {
  return text.replace(/[:;#]/g, ' ').replace(/\s+/g, ' ').trim();
}
