/** Helpers for the shared-log tests (not a test file): log databases, a second server to kill, CLI processes to watch. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { ensureSandbox, sandboxPaths, sandboxStatus, stopSandbox } from '../src/engine/sandbox.js';
import { postgresBinaries } from '../src/engine/sandbox/binaries.js';
import { serverUser } from '../src/engine/sandbox/server-user.js';
import { freshDatabase, query } from './support/database.js';
import { CLI, ROOT } from './runner-support.js';

/** A fresh database on the shared test server, to hold a log. */
export function freshLogDatabase(): Promise<string> {
  return freshDatabase('log');
}

/** Every row of an incident, in arrival order. */
export function logRows(url: string, incident: string): Promise<{ run: string; seq: number; type: string; actor: string; line: string }[]> {
  return query(url, 'SELECT run, seq, type, actor, line FROM runbook.events WHERE incident = $1 ORDER BY id', [incident]);
}

/**
 * A second PostgreSQL server of its own (the engine's sandbox code in another
 * RUNBOOK_SANDBOX_DIR), so a test can kill the log without touching anyone's target.
 */
export async function secondServer(): Promise<{ url: string; crash(): Promise<void>; restart(): Promise<void>; remove(): Promise<void> }> {
  const env = { ...process.env, RUNBOOK_SANDBOX_DIR: mkdtempSync(join(tmpdir(), 'runbook-test-log-pg-')) };
  const { url } = await ensureSandbox({ env });
  return {
    url,
    /** `pg_ctl stop -m immediate`: the server is gone at once, no goodbye to its clients. */
    async crash() {
      const { pg_ctl } = await postgresBinaries();
      const user = serverUser();
      const result = spawnSync(pg_ctl, ['stop', '-D', sandboxPaths(env).dataDir, '-m', 'immediate', '-w', '-s'], { encoding: 'utf8', ...(user ?? {}) });
      if (result.status !== 0) throw new Error(`pg_ctl stop -m immediate failed: ${result.stderr}`);
    },
    async restart() {
      const again = await ensureSandbox({ env });
      if (again.url !== url) throw new Error(`the log server came back on another URL: ${again.url}`);
    },
    async remove() {
      const { cacheDir, dataDir } = sandboxStatus({ env });
      await stopSandbox({ env }).catch(() => false);
      rmSync(cacheDir, { recursive: true, force: true });
      rmSync(dirname(dataDir), { recursive: true, force: true });
    },
  };
}

export interface Watched {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when the pattern shows up on stdout or stderr. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr', timeoutMs?: number): Promise<void>;
}

/** `node bin/runbook.js …`, watched as it goes. */
export function watchCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Watched {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const text = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    text.stdout += chunk.toString();
    for (const w of waiters) w();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text.stderr += chunk.toString();
    for (const w of waiters) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
  return {
    child,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    exited,
    waitFor: (pattern, stream = 'stdout', timeoutMs = 45_000) =>
      new Promise<void>((done, fail) => {
        const check = () => {
          if (!pattern.test(text[stream])) return;
          waiters.delete(check);
          clearTimeout(timer);
          done();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          fail(new Error(`timed out waiting for ${pattern} on ${stream}\nstdout:\n${text.stdout}\nstderr:\n${text.stderr}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}

/** Opens a gate a gated runbook cell is waiting on. */
export function openGate(path: string): void {
  writeFileSync(path, 'open\n');
}

export const GATED = join(ROOT, 'test', 'fixtures', 'runbooks', 'log-gated.md');

/** Polls `check` until it holds (a condition on the log, not on the clock). */
export async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A transcript's lines as text, complete lines only. */
export function transcriptLinesOf(text: string): string[] {
  return text.split('\n').filter((line) => line.length > 0);
}

/** The README's append-only setup SQL (the block test/log-role.test.ts runs as written). */
export function readmeSetupSql(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const match = /<!-- append-only-sql[^>]*-->\n```sql\n([\s\S]*?)```/.exec(readme);
  if (!match?.[1]) throw new Error('README.md has no append-only-sql block');
  return match[1];
}

/** A role made by the README's setup SQL on a log whose schema exists: its URL (SELECT and INSERT only). */
export async function appendOnlyRole(owner: string): Promise<string> {
  const role = `responder_${randomBytes(3).toString('hex')}`;
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: owner });
  await admin.connect();
  try {
    await admin.query(readmeSetupSql().replaceAll('responder', role).replace("'change-me'", `'${password}'`));
  } finally {
    await admin.end();
  }
  const url = new URL(owner);
  url.username = role;
  url.password = password;
  return url.toString();
}
