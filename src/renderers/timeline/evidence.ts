/**
 * What a cell attempt printed, as evidence for its row: a short excerpt (why it failed, or
 * what it did) and the output itself, bounded, for the appendix and the JSON export.
 *
 * The excerpt is chosen the way a reviewer reads a log: for a failure the first and the
 * last error lines of stderr (the first is usually the cause, the last what gave up),
 * without the interpreter's decoration around them (PowerShell's `Line |` error view, a
 * Python traceback's frames, "Program … ended with non-zero exit code"), and when stderr
 * says nothing more, the error lines of stdout (a gate that prints FAIL lines); for a
 * success the lines that state an outcome (`✓ …`, `[OK] …`, `FAIL …`) and then its last
 * lines. Everything arrives masked from the transcript; ANSI colours are removed here.
 */
import { stripVTControlCharacters } from 'node:util';
import type { CellError, CellFinished, CellStatus, OutputStream, SqlResult } from '../../engine/events.js';

export const EXCERPT_LINES = 3;
export const EXCERPT_WIDTH = 160;
/** The output one attempt keeps for its appendix entry; more goes to the transcript (or its sidecar). */
export const OUTPUT_KEEP = 16 * 1024;
/** The output a whole timeline keeps, so a flood of cells cannot grow it without end. */
export const TIMELINE_OUTPUT_KEEP = 1024 * 1024;
/** Attempts whose output a timeline keeps in full (a postmortem of 10,000 cells is read by its excerpts). */
export const OUTPUT_ENTRIES = 500;
/** Rows of a SQL result kept for its table (the transcript holds more). */
export const RESULT_ROWS = 20;

const HEAD_LINES = 20;
const TAIL_LINES = 40;

export interface Evidence {
  /** Where the excerpt comes from. */
  from: 'stderr' | 'stdout' | 'error' | 'result';
  lines: string[];
}

export interface CellOutputText {
  /** The attempt's stdout and stderr as printed, interleaved, without colours; at most OUTPUT_KEEP characters. */
  text: string;
  /** True when the attempt printed more than `text` holds. */
  cut: boolean;
  /** Sidecar files (relative to the transcript) that hold the output past the transcript's cap. */
  sidecars?: string[];
}

export interface StatementResult {
  index: number;
  title?: string;
  command: string;
  columns: string[];
  rows: unknown[][];
  rowCount: number;
  /** Fewer rows here than the statement returned. */
  truncated: boolean;
}

/** A shared budget for the output every attempt of one timeline keeps. */
export interface OutputBudget {
  left: number;
  entries: number;
}

export function outputBudget(): OutputBudget {
  return { left: TIMELINE_OUTPUT_KEEP, entries: OUTPUT_ENTRIES };
}

/** One attempt's output as it streams in: the head and tail lines of each stream, and the text up to the caps. */
export class OutputCollector {
  private readonly head: Record<'stdout' | 'stderr', string[]> = { stdout: [], stderr: [] };
  private readonly tail: Record<'stdout' | 'stderr', string[]> = { stdout: [], stderr: [] };
  private readonly partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  private readonly count: Record<'stdout' | 'stderr', number> = { stdout: 0, stderr: 0 };
  private text = '';
  private cut = false;
  /** This attempt has taken (or been refused) one of the timeline's output entries. */
  private counted = false;
  private refused = false;
  private readonly sidecars: string[] = [];

  constructor(private readonly budget: OutputBudget) {}

  add(stream: OutputStream, data: string): void {
    const clean = plain(data);
    this.keep(clean);
    if (stream === 'notice') return;
    const lines = (this.partial[stream] + clean).split('\n');
    this.partial[stream] = lines.pop() ?? '';
    for (const line of lines) this.line(stream, line);
  }

  spilled(path: string): void {
    if (!this.sidecars.includes(path)) this.sidecars.push(path);
  }

  /** The excerpt for this attempt's row, or undefined when nothing printed says more than the status. */
  evidence(finished: CellFinished, results: SqlResult[]): Evidence | undefined {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.line(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
    return pickEvidence(finished.status, finished.error, results, (stream) => this.linesOf(stream));
  }

  output(): CellOutputText | undefined {
    if (!this.text && !this.sidecars.length) return undefined;
    return { text: this.text, cut: this.cut, ...(this.sidecars.length ? { sidecars: [...this.sidecars] } : {}) };
  }

  private keep(clean: string): void {
    if (!clean) return;
    if (!this.counted) {
      this.counted = true;
      if (this.budget.entries > 0) this.budget.entries -= 1;
      else this.refused = true;
    }
    const room = this.refused ? 0 : Math.min(OUTPUT_KEEP - this.text.length, this.budget.left);
    if (clean.length > room) this.cut = true;
    const taken = clean.slice(0, Math.max(0, room));
    this.text += taken;
    this.budget.left -= taken.length;
  }

  private line(stream: 'stdout' | 'stderr', line: string): void {
    // What a terminal shows of a line redrawn with CR: the part after the last CR. By index, not
    // /.*\r/: that regex rescans the rest of the line from every start, quadratic on a long line.
    const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
    const text = trimmed.slice(trimmed.lastIndexOf('\r') + 1);
    this.count[stream] += 1;
    if (this.head[stream].length < HEAD_LINES) this.head[stream].push(text);
    this.tail[stream].push(text);
    if (this.tail[stream].length > TAIL_LINES) this.tail[stream].shift();
  }

  /** The stream's lines as far as they were kept: head, then tail, without the overlap. */
  private linesOf(stream: 'stdout' | 'stderr'): string[] {
    const count = this.count[stream];
    if (count <= TAIL_LINES) return this.tail[stream];
    return [...this.head[stream], ...this.tail[stream].slice(Math.max(0, HEAD_LINES + TAIL_LINES - count))];
  }
}

type LinesOf = (stream: 'stdout' | 'stderr') => string[];

function pickEvidence(status: CellStatus, error: CellError | undefined, results: SqlResult[], linesOf: LinesOf): Evidence | undefined {
  if (status === 'skipped') return undefined;
  const failed = status !== 'succeeded';
  if (failed) {
    const stderr = meaningful(linesOf('stderr'));
    if (stderr.length) return excerpt('stderr', firstAndLast(stderr));
    const stdout = meaningful(linesOf('stdout'));
    const errorish = stdout.filter((line) => ERRORISH.test(line));
    if (errorish.length) return excerpt('stdout', firstAndLast(errorish));
    // The row's result says the error's message already; its detail and hint are what it does not say.
    const more = [error?.detail, error?.hint].filter((text): text is string => Boolean(text));
    if (more.length) return excerpt('error', [more.join(' — ')]);
    if (stdout.length) return excerpt('stdout', stdout.slice(-EXCERPT_LINES));
    return undefined;
  }
  if (results.length) return resultEvidence(results);
  const stdout = meaningful(linesOf('stdout'));
  if (!stdout.length) {
    const stderr = meaningful(linesOf('stderr'));
    return stderr.length ? excerpt('stderr', stderr.slice(-1)) : undefined;
  }
  const outcomes = stdout.filter((line) => OUTCOME.test(line)).slice(0, EXCERPT_LINES - 1);
  const last = stdout.at(-1) as string;
  const lines = [...outcomes.filter((line) => line !== last), last];
  return excerpt('stdout', lines);
}

/** The first rows of a small result, one line each as `column=value`; larger results are counted in the row's result already. */
function resultEvidence(results: SqlResult[]): Evidence | undefined {
  const lines: string[] = [];
  for (const result of results) {
    if (!result.rows.length || result.rowCount > EXCERPT_LINES) continue;
    for (const row of result.rows) {
      if (lines.length >= EXCERPT_LINES) break;
      const pairs = result.columns.map((column, i) => `${column}=${cellText(row[i])}`).join(', ');
      lines.push(result.title ? `${result.title}: ${pairs}` : pairs);
    }
  }
  return lines.length ? excerpt('result', lines) : undefined;
}

/** The first line (usually the cause) and the last ones (what gave up), in order, at most EXCERPT_LINES. */
function firstAndLast(lines: string[]): string[] {
  if (lines.length <= EXCERPT_LINES) return lines;
  return [lines[0] as string, ...lines.slice(-(EXCERPT_LINES - 1))];
}

function excerpt(from: Evidence['from'], lines: string[]): Evidence {
  return { from, lines: lines.map((line) => clip(line.trim().replace(/\s+/g, ' '))) };
}

/** Lines that carry words, not the interpreter's frames and rulers, without a line repeated right after itself. */
function meaningful(all: string[]): string[] {
  const out: string[] = [];
  for (const raw of all) {
    const line = unframe(raw);
    if (line === undefined) continue;
    if (out.at(-1) !== line) out.push(line);
  }
  return out;
}

/**
 * A line with the decoration around it taken off, or undefined when it is only decoration:
 * blank, rulers (`-----`, `====`, `+--+`), PowerShell's error view (`Line |`, `   5 |  code`,
 * `     |  ~~~~`, a location-only `…Exception: /path/file.ps1:5`), a traceback's frames, and
 * the interpreter's own "ended with non-zero exit code" (the row already says the exit code).
 */
function unframe(raw: string): string | undefined {
  const line = raw.trim();
  if (!line || /^[-=+_~*#.|\s]+$/.test(line)) return undefined;
  if (/^Line \|$/.test(line) || /^\d+ \|/.test(line) || /^\|\s*~*$/.test(line)) return undefined;
  if (/^[\w.]+(Exception|Error): \S+:\d+$/.test(line)) return undefined;
  if (/^Traceback \(most recent call last\):$/.test(line) || /^File ".*", line \d+/.test(line)) return undefined;
  const framed = /^\|\s+(.*)$/.exec(line);
  const text = framed ? (framed[1] as string) : line;
  if (/ended with non-zero exit code/.test(text)) return undefined;
  return text;
}

const ERRORISH = /\b(fail(ed|ure)?|error|fatal|refused|denied|unreachable|not found|no such|exception|timed? ?out|abort(ed)?|cannot|could not|invalid)\b/i;
/** A line that states an outcome: a check or cross mark, an arrow, or a status word at its start. */
const OUTCOME = /^(\S*\s)?[✓✔✗✘→]|^\[?(OK|PASS|FAIL|ERROR|DONE|WARN)\]?\b/;

function clip(line: string): string {
  const chars = [...line];
  return chars.length > EXCERPT_WIDTH ? `${chars.slice(0, EXCERPT_WIDTH - 1).join('')}…` : line;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value as string | number | boolean);
}

/** Text as a reader sees it: no colours or cursor moves. */
export function plain(text: string): string {
  return stripVTControlCharacters(text);
}

/** A statement's result for the review page's table: its first RESULT_ROWS rows. */
export function statementResult(result: SqlResult): StatementResult {
  return {
    index: result.index,
    ...(result.title ? { title: result.title } : {}),
    command: (result.command || '?').toUpperCase(),
    columns: result.columns,
    rows: result.rows.slice(0, RESULT_ROWS),
    rowCount: result.rowCount,
    truncated: result.truncated || result.rows.length > RESULT_ROWS,
  };
}
