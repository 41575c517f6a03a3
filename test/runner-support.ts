/** Helpers shared by the runner, preflight, secrets and CLI tests (not a test file itself). */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { maskUrl } from '../src/engine/redact.js';
import type { Decision, DecisionContext, Operator } from '../src/engine/operator.js';
import type { RunEvent } from '../src/engine/events.js';
import type { Target } from '../src/engine/target.js';

export const ROOT = resolve(import.meta.dirname, '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'runbooks');
export const CLI = join(ROOT, 'bin', 'runbook.js');

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

export function tempDir(prefix = 'runbook-runner-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function postgresTarget(url: string, kind: Target['kind'] = 'postgres'): Target {
  return { kind, url, maskedUrl: maskUrl(url), name: new URL(url).pathname.slice(1) || 'postgres' };
}

export const noTarget: Target = { kind: 'none', url: '', maskedUrl: '', name: 'none' };

/** An operator driven by a function of the context; records what it was asked. */
export function scriptedOperator(
  decide: (context: DecisionContext) => Decision | Promise<Decision>,
  options: { confirm?: (cellId: string, targetName: string) => boolean; answers?: Record<string, string> } = {},
): Operator & { confirmations: string[]; asked: string[] } {
  const confirmations: string[] = [];
  const asked: string[] = [];
  return {
    actor: 'tester',
    confirmations,
    asked,
    decide: async (context) => decide(context),
    confirmWrite: async (cell, targetName) => {
      confirmations.push(`${cell.id}@${targetName}`);
      return options.confirm ? options.confirm(cell.id, targetName) : true;
    },
    askVariable: async (spec) => {
      asked.push(spec.name);
      return options.answers?.[spec.name];
    },
  };
}

/** Run every cell once, then move on: the --yes behaviour, from a test. */
export const runEach = (context: DecisionContext): Decision => (context.attempts === 0 ? { action: 'run' } : { action: 'next' });

export function collector(): { events: RunEvent[]; sink: (event: RunEvent) => void; of<T extends RunEvent['type']>(type: T): Extract<RunEvent, { type: T }>[] } {
  const events: RunEvent[] = [];
  return {
    events,
    sink: (event) => void events.push(event),
    of: (type) => events.filter((e) => e.type === type) as never,
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const execFileAsync = promisify(execFile);

/** `node bin/runbook.js …` to completion. */
export async function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, signal: null, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; signal?: NodeJS.Signals; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : null, signal: e.signal ?? null, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Starts the CLI and keeps a handle, for signal tests; stdout is collected as it comes. */
export function startCli(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
} {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.pattern.test(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    check();
  });
  child.stderr?.on('data', (chunk: Buffer) => void (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise<void>((done, fail) => {
        if (pattern.test(out)) return done();
        const timer = setTimeout(() => fail(new Error(`timed out waiting for ${pattern} in stdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
        waiters.push({ pattern, resolve: () => (clearTimeout(timer), done()) });
      }),
  };
}

/** Transcript lines as parsed objects (complete lines only). */
export function parseLines(text: string): RunEvent[] {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as RunEvent);
}
