/**
 * One vocabulary for every renderer (src/renderers/text/): a duration, a clock, an instant,
 * a status and a cell's error read the same in plain output, the console, the timeline and
 * the recordings made from them.
 */
import { describe, expect, it } from 'vitest';
import type { CellFinished } from '../src/engine/events.js';
import { finishedLines } from '../src/renderers/plain/blocks.js';
import { createStyle } from '../src/renderers/plain/style.js';
import { errorHeadline, errorLines, finishedErrorLines } from '../src/renderers/text/cell-error.js';
import { STATUS_GLYPH, finishedPhrase, statusCounts } from '../src/renderers/text/status.js';
import { clock, dateAndTime, duration, offset, timeOfDay, utcStamp } from '../src/renderers/text/time.js';
import { displayWidth } from '../src/renderers/text/width.js';
import { finishedText } from '../src/renderers/timeline/wording.js';
import { paneModel, statusText } from '../src/renderers/tui/pane.js';
import { reduceAll } from '../src/renderers/tui/reducer.js';
import { initialState } from '../src/renderers/tui/state.js';
import { eventMaker, started } from './tui-support.js';

describe('durations: one rule, cut and never rounded up', () => {
  it.each([
    [0, '0 ms'], [999, '999 ms'], [1000, '1.0 s'], [1960, '1.9 s'], [9999, '9.9 s'], [10_000, '10 s'], [59_999, '59 s'],
    [60_000, '1 min'], [125_000, '2 min 5 s'], [3_599_999, '59 min 59 s'], [3_600_000, '1 h'], [3_840_000, '1 h 4 min'],
  ])('%d ms is %s', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });

  it('says ? for what is not a span', () => {
    expect(duration(-1)).toBe('?');
    expect(duration(Number.NaN)).toBe('?');
  });
});

describe('clocks: a counter that ticks in place, and a row offset to the millisecond', () => {
  it.each([[0, '0:00'], [999, '0:00'], [42_000, '0:42'], [125_000, '2:05'], [3_723_000, '1:02:03'], [-5, '0:00']])('clock(%d) is %s', (ms, text) => {
    expect(clock(ms)).toBe(text);
  });

  it.each([[1234, '+0:01.234'], [-120, '-0:00.120'], [3_723_000, '+1:02:03.000'], [725_000, '+12:05.000']])('offset(%d) is %s', (ms, text) => {
    expect(offset(ms)).toBe(text);
  });
});

describe('instants: UTC, at the precision the use needs', () => {
  const at = '2026-01-02T03:04:05.123Z';
  it('to the minute, second or millisecond, with or without the date', () => {
    expect(timeOfDay(at, 'minute')).toBe('03:04');
    expect(timeOfDay(at, 'second')).toBe('03:04:05');
    expect(timeOfDay(at, 'ms')).toBe('03:04:05.123');
    expect(dateAndTime(at)).toBe('2026-01-02 03:04:05.123');
    expect(utcStamp(at)).toBe('2026-01-02 03:04:05.123 UTC');
    expect(utcStamp(Date.parse(at), 'minute')).toBe('2026-01-02 03:04 UTC');
  });

  it('reads other ISO forms as the instant they name, and shows what is not a time as it is', () => {
    expect(timeOfDay('2026-01-02T04:04:05+01:00', 'second')).toBe('03:04:05');
    expect(utcStamp('not a time')).toBe('not a time');
  });
});

describe('status: one glyph and one sentence', () => {
  it('has one column per glyph, and no emoji among the finished ones', () => {
    for (const glyph of Object.values(STATUS_GLYPH)) expect(displayWidth(glyph)).toBe(1);
    for (const status of ['succeeded', 'failed', 'skipped', 'cancelled', 'timed-out'] as const) expect(STATUS_GLYPH[status]).not.toMatch(/\p{Emoji}/u);
  });

  it.each<[Parameters<typeof finishedPhrase>[0], string]>([
    [{ status: 'succeeded', durationMs: 1960, exitCode: 0, errors: 2 }, 'succeeded in 1.9 s · exit 0 · 2 errors'],
    [{ status: 'failed', durationMs: 12, exitCode: 3 }, 'failed after 12 ms · exit 3'],
    [{ status: 'timed-out', durationMs: 30_000 }, 'timed out after 30 s'],
    [{ status: 'cancelled', durationMs: 125_000, reason: 'stopped by alice' }, 'cancelled after 2 min 5 s (stopped by alice)'],
    [{ status: 'skipped', durationMs: 0, reason: 'dry run' }, 'skipped (dry run)'],
    [{ status: 'skipped' }, 'skipped'],
  ])('%o reads %s', (facts, text) => {
    expect(finishedPhrase(facts)).toBe(text);
  });

  it('counts by status in one order, in words', () => {
    expect(statusCounts({ skipped: 1, 'timed-out': 2, succeeded: 3 })).toBe('3 succeeded, 2 timed out, 1 skipped');
    expect(statusCounts({})).toBe('');
  });
});

describe("a cell's error: psql's layout, once", () => {
  const error = { message: 'relation "ops.jobs" does not exist', code: '42P01', detail: 'd', hint: 'Check the schema.', line: 12 };
  it('headline, then DETAIL, HINT and the document line', () => {
    expect(errorLines(error).map((l) => l.text)).toEqual([
      'ERROR:  relation "ops.jobs" does not exist (SQLSTATE 42P01)', 'DETAIL:  d', 'HINT:  Check the schema.', 'at line 12',
    ]);
  });

  it('names a code that is no SQLSTATE as it is, and never repeats a code the message says', () => {
    expect(errorHeadline({ message: 'spawn pwsh', code: 'ENOENT' })).toBe('spawn pwsh (ENOENT)');
    expect(errorHeadline({ message: 'code 57014 seen', code: '57014' })).toBe('code 57014 seen');
  });

  it('shows nothing under a status line whose exit code already says it all', () => {
    expect(finishedErrorLines({ status: 'failed', exitCode: 3, error: { message: 'exit code 3' } })).toEqual([]);
  });
});

describe('plain output, the console and the timeline say the same thing about a finished cell', () => {
  const make = eventMaker();
  const cases: Omit<CellFinished, 'v' | 'seq' | 'ts' | 'run' | 'hash' | 'type' | 'cell'>[] = [
    { status: 'succeeded', durationMs: 1960, exitCode: 0 },
    { status: 'succeeded', durationMs: 125_000, exitCode: 0, errors: 1 },
    { status: 'failed', durationMs: 12, error: { message: 'relation "x" does not exist', code: '42P01', hint: 'Create it.' } },
    { status: 'timed-out', durationMs: 30_000, error: { message: 'canceling statement due to statement timeout', code: '57014' } },
  ];

  it.each(cases)('%o', (body) => {
    const finished = { type: 'cell.finished', cell: 'c', ...body } as const;
    const state = reduceAll(initialState({}), [
      make(started([{ id: 'c' }])),
      make({ type: 'cell.started', cell: 'c', lang: 'sql', line: 1, section: ['S'], source: 'SELECT 1', attempt: 1 }),
      make(finished),
    ]);
    const pane = paneModel(state, state.cells.c!, 100, 40);
    const consoleLines = [statusText(state.cells.c!), ...pane.output, ...pane.pinned].map((l) => (typeof l === 'string' ? l : l.text));
    const plainLines = finishedLines(make(finished) as CellFinished, createStyle(false), true).filter(Boolean);
    const phrase = finishedPhrase(body);
    // Plain: the error block (indented), then `✓ succeeded in 1.9 s · exit 0`.
    expect(plainLines.at(-1)).toBe(`${STATUS_GLYPH[body.status]} ${phrase}`);
    expect(plainLines.slice(0, -1).map((l) => l.trim())).toEqual(errorLines(body.error ?? { message: '' }).slice(0, body.error ? undefined : 0).map((l) => l.text));
    // The console: the same phrase, then the same error lines.
    expect(consoleLines).toContain(phrase);
    for (const line of finishedErrorLines(body)) expect(consoleLines).toContain(line.text);
    // The timeline: the same phrase, then the error's headline.
    expect(finishedText(make(finished) as CellFinished)).toBe(body.error ? `${phrase}: ${errorHeadline(body.error)}` : phrase);
  });
});
