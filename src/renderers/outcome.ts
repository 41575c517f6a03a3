/** The plain words for how a run ended, shared by the plain renderer, the console and the timeline. */
import type { NotRun } from '../engine/events.js';

/** `5 of 7 cells did not run: pwsh not found (4), cancelled (1)`, or undefined when every cell ran. */
export function notRunSummary(notRun: readonly NotRun[], selected: number | undefined): string | undefined {
  if (!notRun.length) return undefined;
  const byReason = new Map<string, number>();
  for (const { reason } of notRun) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  const reasons = [...byReason].map(([reason, n]) => `${reason} (${n})`).join(', ');
  const of = selected !== undefined ? ` of ${selected}` : '';
  const cells = (selected ?? notRun.length) === 1 ? 'cell' : 'cells';
  return `${notRun.length}${of} ${cells} did not run: ${reasons}`;
}
