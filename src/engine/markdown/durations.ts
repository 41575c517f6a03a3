/**
 * Durations as runbook authors write them: `30s`, `2m`, `1h`, `500ms`, `1m30s`, or a
 * plain number of seconds; and section budgets from headings such as `(< 2 min)`.
 */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000, sec: 1_000, secs: 1_000, second: 1_000, seconds: 1_000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
};

const UNIT = '(ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h)';
const PART = new RegExp(`(\\d+(?:\\.\\d+)?)\\s*${UNIT}`, 'gy');

/** Milliseconds for `30s`, `2m`, `1h30m`, `500ms`, `45` (seconds); undefined if unreadable. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? Math.round(text * 1000) : undefined;
  const value = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  if (value === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  let consumed = 0;
  for (;;) {
    while (value[consumed] === ' ') consumed += 1;
    if (consumed >= value.length) break;
    PART.lastIndex = consumed;
    const match = PART.exec(value);
    if (!match) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2] as string]!;
    consumed = PART.lastIndex;
  }
  return Math.round(total);
}

const BUDGET = new RegExp(`\\(\\s*(?:<|≤|<=|under|within|max\\.?)\\s*(\\d+(?:\\.\\d+)?)\\s*${UNIT}\\s*\\)`, 'i');

/** The budget a heading such as `Immediate Containment (< 2 min)` gives its section. */
export function budgetFromHeading(title: string): number | undefined {
  const match = BUDGET.exec(title);
  if (!match) return undefined;
  return Math.round(Number(match[1]) * UNIT_MS[(match[2] as string).toLowerCase()]!);
}
