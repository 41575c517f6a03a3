/**
 * The real CLI in a real pseudo-terminal (node-pty): keys in, screen text out. The
 * output is played into a small virtual screen (cursor moves, erases, scrolling into a
 * history) so a test reads what a person would see, not the raw escape stream.
 */
import pty from '@lydell/node-pty';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = resolve(ROOT, 'bin', 'runbook.js');

export const KEYS = {
  enter: '\r',
  escape: '\u001b',
  up: '\u001b[A',
  down: '\u001b[B',
  backspace: '\u007f',
  ctrlC: '\u0003',
} as const;

/** A terminal screen of `rows` × `cols` cells, plus the lines that scrolled off the top. */
export class VirtualScreen {
  private grid: string[][];
  private row = 0;
  private col = 0;
  readonly history: string[] = [];
  private saved: { grid: string[][]; row: number; col: number } | undefined;

  constructor(
    private cols: number,
    private rows: number,
  ) {
    this.grid = Array.from({ length: rows }, () => this.blank());
  }

  resize(cols: number, rows: number): void {
    this.grid = Array.from({ length: rows }, (_, i) => (this.grid[i] ?? this.blank()).slice(0, cols).concat(Array(Math.max(0, cols - this.cols)).fill(' ')));
    this.cols = cols;
    this.rows = rows;
    this.row = Math.min(this.row, rows - 1);
    this.col = Math.min(this.col, cols - 1);
  }

  write(data: string): void {
    for (let i = 0; i < data.length; i += 1) {
      const ch = data[i] as string;
      if (ch === '\u001b') {
        i = this.escape(data, i);
        continue;
      }
      if (ch === '\r') this.col = 0;
      else if (ch === '\n') this.lineFeed();
      else if (ch === '\b') this.col = Math.max(0, this.col - 1);
      else if (ch === '\t') this.col = Math.min(this.cols - 1, (Math.floor(this.col / 8) + 1) * 8);
      else if (ch >= ' ') this.put(ch);
    }
  }

  /** The visible screen, right-trimmed lines joined by newlines. */
  text(): string {
    return this.grid.map((line) => line.join('').trimEnd()).join('\n');
  }

  /** Everything that scrolled off, then the screen. */
  all(): string {
    return [...this.history, this.text()].join('\n');
  }

  private blank(): string[] {
    return Array(this.cols).fill(' ');
  }

  private put(ch: string): void {
    if (this.col >= this.cols) {
      this.col = 0;
      this.lineFeed();
    }
    (this.grid[this.row] as string[])[this.col] = ch;
    this.col += 1;
  }

  private lineFeed(): void {
    if (this.row < this.rows - 1) {
      this.row += 1;
      return;
    }
    // What scrolls off the alternate screen is not the terminal's scrollback.
    if (this.saved) {
      this.grid.shift();
      this.grid.push(this.blank());
      return;
    }
    this.history.push((this.grid.shift() as string[]).join('').trimEnd());
    this.grid.push(this.blank());
  }

  /** Reads one escape sequence starting at `i`; returns the index of its last character. */
  private escape(data: string, i: number): number {
    const next = data[i + 1];
    if (next === ']') {
      const end = data.indexOf('\u0007', i);
      return end === -1 ? data.length : end;
    }
    if (next !== '[') return i + 1;
    let j = i + 2;
    while (j < data.length && !/[@-~]/.test(data[j] as string)) j += 1;
    const params = data.slice(i + 2, j);
    this.csi(params, data[j] ?? '');
    return j;
  }

  private csi(params: string, final: string): void {
    if (params.startsWith('?')) return this.mode(params, final);
    const args = params.split(';').map((p) => (p === '' ? NaN : Number(p)));
    const n = Number.isNaN(args[0] as number) ? 1 : (args[0] as number);
    switch (final) {
      case 'A':
        this.row = Math.max(0, this.row - n);
        break;
      case 'B':
        this.row = Math.min(this.rows - 1, this.row + n);
        break;
      case 'C':
        this.col = Math.min(this.cols - 1, this.col + n);
        break;
      case 'D':
        this.col = Math.max(0, this.col - n);
        break;
      case 'G':
        this.col = Math.min(this.cols - 1, n - 1);
        break;
      case 'H':
      case 'f':
        this.row = Math.min(this.rows - 1, (Number.isNaN(args[0] as number) ? 1 : (args[0] as number)) - 1);
        this.col = Math.min(this.cols - 1, (Number.isNaN(args[1] as number) ? 1 : (args[1] as number)) - 1);
        break;
      case 'K':
        this.eraseLine(Number.isNaN(args[0] as number) ? 0 : (args[0] as number));
        break;
      case 'J':
        this.eraseDisplay(Number.isNaN(args[0] as number) ? 0 : (args[0] as number));
        break;
      default:
        // Colours (m) and modes change nothing in the text.
        break;
    }
  }

  /** The alternate screen (less, vi): entered with a saved screen, which comes back on leaving. */
  private mode(params: string, final: string): void {
    if (!/^\?(1049|1047|47)$/.test(params)) return;
    if (final === 'h' && !this.saved) {
      this.saved = { grid: this.grid.map((line) => line.slice()), row: this.row, col: this.col };
      this.grid = Array.from({ length: this.rows }, () => this.blank());
    } else if (final === 'l' && this.saved) {
      ({ grid: this.grid, row: this.row, col: this.col } = this.saved);
      this.saved = undefined;
    }
  }

  private eraseLine(mode: number): void {
    const line = this.grid[this.row] as string[];
    const [from, to] = mode === 0 ? [this.col, this.cols] : mode === 1 ? [0, this.col + 1] : [0, this.cols];
    for (let c = from; c < to; c += 1) line[c] = ' ';
  }

  private eraseDisplay(mode: number): void {
    if (mode === 2 || mode === 3) {
      this.grid = Array.from({ length: this.rows }, () => this.blank());
      return;
    }
    this.eraseLine(mode);
    const rows = mode === 0 ? [this.row + 1, this.rows] : [0, this.row];
    for (let r = rows[0] as number; r < (rows[1] as number); r += 1) this.grid[r] = this.blank();
  }
}

export interface PtyRun {
  screen: VirtualScreen;
  /** Raw output so far (escapes included). */
  raw(): string;
  write(keys: string): void;
  /** Waits until the text (or pattern) is on the visible screen. */
  waitFor(text: string | RegExp, options?: { timeoutMs?: number; history?: boolean }): Promise<void>;
  resize(cols: number, rows: number): void;
  exited: Promise<number>;
  kill(): void;
  /** Closes the terminal as a closed window or a dropped SSH connection does: the master goes away, then SIGHUP. */
  hangup(): void;
}

export function spawnCli(args: string[], options: { cols?: number; rows?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): PtyRun {
  const cols = options.cols ?? 100;
  const rows = options.rows ?? 30;
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', ...options.env };
  delete env.CI;
  const term = pty.spawn(process.execPath, [CLI, ...args], { name: 'xterm-256color', cols, rows, cwd: options.cwd ?? ROOT, env: env as Record<string, string> });
  const screen = new VirtualScreen(cols, rows);
  let raw = '';
  const listeners = new Set<() => void>();
  term.onData((data) => {
    raw += data;
    screen.write(data);
    for (const listener of [...listeners]) listener();
  });
  let exitCode: number | undefined;
  const exited = new Promise<number>((done) =>
    term.onExit(({ exitCode: code }) => {
      exitCode = code;
      done(code);
      for (const listener of [...listeners]) listener();
    }),
  );
  return {
    screen,
    raw: () => raw,
    write: (keys) => term.write(keys),
    resize: (c, r) => {
      screen.resize(c, r);
      term.resize(c, r);
    },
    exited,
    kill: () => {
      if (exitCode === undefined) term.kill();
    },
    hangup: () => {
      // destroy() is on node-pty's Unix terminal, not on its IPty interface.
      if (exitCode === undefined) (term as unknown as { destroy(): void }).destroy();
    },
    waitFor(text, { timeoutMs = 20_000, history = false } = {}) {
      const seen = () => {
        const shown = history ? screen.all() : screen.text();
        return typeof text === 'string' ? shown.includes(text) : text.test(shown);
      };
      return new Promise<void>((done, fail) => {
        if (seen()) return done();
        const check = () => {
          if (seen()) {
            finish();
            done();
          } else if (exitCode !== undefined) {
            finish();
            fail(new Error(`the CLI exited (${exitCode}) before ${String(text)} was on screen:\n${screen.text()}`));
          }
        };
        const timer = setTimeout(() => {
          finish();
          fail(new Error(`timed out waiting for ${String(text)}; screen:\n${screen.text()}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
      });
    },
  };
}

export interface ConsoleOptions {
  /** Names the transcript's temporary directory (runbook-<name>-…). */
  name: string;
  /** --db; without it the run takes its usual target. */
  db?: string;
  /** More arguments after the usual ones (--var …). */
  args?: string[];
  cols?: number;
  rows?: number;
  env?: NodeJS.ProcessEnv;
}

/** The operator console as the pty tests start it: `run <runbook> [--db] --transcript <fresh file> --actor alice`. */
export function startConsole(runbook: string, options: ConsoleOptions): { tui: PtyRun; transcript: string } {
  const transcript = join(mkdtempSync(join(tmpdir(), `runbook-${options.name}-`)), 'run.jsonl');
  const db = options.db === undefined ? [] : ['--db', options.db];
  const tui = spawnCli(['run', runbook, ...db, '--transcript', transcript, '--actor', 'alice', ...(options.args ?? [])], {
    ...(options.cols !== undefined ? { cols: options.cols } : {}),
    ...(options.rows !== undefined ? { rows: options.rows } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  return { tui, transcript };
}

/** The console's own way out: q, then y at "Quit the run? (y/n)". Resolves to the CLI's exit code. */
export async function quitConsole(tui: PtyRun): Promise<number> {
  tui.write('q');
  await tui.waitFor('Quit the run? (y/n)');
  tui.write('y');
  return tui.exited;
}

/** Waits until the console asks about the cell `pending` matches (its outline row), then runs it with enter. */
export async function runWhenAsked(tui: PtyRun, pending: RegExp): Promise<void> {
  await tui.waitFor(pending);
  await tui.waitFor('enter run · s skip');
  tui.write(KEYS.enter);
}

/** After the last cell: enter ends the run. Resolves to the CLI's exit code. */
export async function endRun(tui: PtyRun): Promise<number> {
  await tui.waitFor('enter ends the run');
  tui.write(KEYS.enter);
  return tui.exited;
}
