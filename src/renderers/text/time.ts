/**
 * How every renderer shows time: plain output, the console, the timeline (Markdown, HTML,
 * JSON summaries) and the recordings built from them. One rule per use:
 *
 * - duration(): how long something took or may take — `120 ms`, `1.9 s`, `42 s`,
 *   `2 min 5 s`, `1 h 4 min`. Cut, never rounded up: a cell that stopped at 1,960 ms under a
 *   2 s timeout reads `1.9 s`, not `2.0 s` (which would look like it hit the limit), and a
 *   span never reads longer than it was. Words, not `2:05`, because it is read once, in prose.
 * - clock(): a counter that ticks in place (the console's elapsed time, a running cell
 *   against its timeout, a section against its budget) — `0:42`, `12:03`, `1:02:03`. Same
 *   shape at every second, so it does not jump from `59 s` to `1 min`, and two of them
 *   side by side (`0:42 / 2:00`) compare at a glance.
 * - offset(): where an event sits on the run's clock, to the millisecond, for ordering rows
 *   of a timeline — `+0:01.234`, `+1:02:03.000`: clock() with milliseconds and a sign.
 * - timeOfDay() / utcStamp(): instants, always UTC and said so.
 */

/** `120 ms`, `1.9 s`, `42 s`, `2 min 5 s`, `1 h 4 min`; `?` for what is not a span. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.floor(ms)} ms`;
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.floor(ms / 1000)} s`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min${seconds % 60 ? ` ${seconds % 60} s` : ''}`;
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}

/** `0:42`, `12:03`, `1:02:03`: whole seconds, cut (a clock shows 0:01 only once a second has passed). */
export function clock(ms: number): string {
  return clockDigits(Math.max(0, Math.floor(ms / 1000)));
}

/** `+0:01.234`, `-0:00.120`, `+1:02:03.000`: time since the run started, to the millisecond. */
export function offset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const total = Math.abs(Math.round(ms));
  return `${sign}${clockDigits(Math.floor(total / 1000))}.${String(total % 1000).padStart(3, '0')}`;
}

function clockDigits(totalSeconds: number): string {
  const ss = String(totalSeconds % 60).padStart(2, '0');
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes}:${ss}`;
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}:${ss}`;
}

/**
 * How precisely an instant is shown: `ms` where rows are ordered by it (a timeline's rows),
 * `second` where a person is told when something happened (ticked, cancelled), `minute`
 * where it is a glance (the console's header).
 */
export type TimePrecision = 'minute' | 'second' | 'ms';

const TIME_LENGTH: Record<TimePrecision, number> = { minute: 5, second: 8, ms: 12 };

/** `03:04`, `03:04:05`, `03:04:05.123` (UTC, without the word): for columns headed UTC and for prose that adds it. */
export function timeOfDay(at: string | number, precision: TimePrecision): string {
  const iso = isoOf(at);
  return iso === undefined ? String(at) : iso.slice(11, 11 + TIME_LENGTH[precision]);
}

/** `2026-01-02 03:04:05.123` (or to the minute or second), UTC without the word: for a column headed UTC. */
export function dateAndTime(at: string | number, precision: TimePrecision = 'ms'): string {
  const iso = isoOf(at);
  return iso === undefined ? String(at) : `${iso.slice(0, 10)} ${iso.slice(11, 11 + TIME_LENGTH[precision])}`;
}

/** `2026-01-02 03:04:05.123 UTC` (or to the minute or second): an instant with its date, in prose. */
export function utcStamp(at: string | number, precision: TimePrecision = 'ms'): string {
  const iso = isoOf(at);
  return iso === undefined ? String(at) : `${dateAndTime(iso, precision)} UTC`;
}

/** A transcript's `ts` is already this shape; a timeline of 100,000 rows need not parse each one. */
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function isoOf(at: string | number): string | undefined {
  if (typeof at === 'string' && ISO_UTC.test(at)) return at;
  const time = typeof at === 'number' ? at : Date.parse(at);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
