/** A cell moved where the database is (`target.changed`), in the one sentence every screen prints. */
import type { TargetChanged } from '../engine/events.js';

export function targetChangedText(event: Pick<TargetChanged, 'cell' | 'name' | 'to' | 'reset'>): string {
  const what = event.to === undefined ? `unset ${event.name}` : `set ${event.name} to ${event.to}`;
  return event.reset
    ? `⚠ ${event.cell} ${what}; reset to the sandbox for this drill`
    : `⚠ ${event.cell} ${what}: the shell and PowerShell cells after it follow it, the SQL cells stay on the run's target`;
}
