/**
 * Cells die with the CLI, however it ends (kill -9 included): one small watcher per CLI
 * process, the reaper, holds the read end of a pipe only the CLI writes to. The kernel
 * closes that pipe when the CLI's process ends, the reaper reads EOF, and it kills every
 * process tree registered in its directory: `<dir>/<anything>.pgid`, holding a group id
 * (on Windows the tree's root pid). The CLI registers the groups it starts; a bash
 * session's cell registers itself (its claim file) before it runs a line of the cell, and
 * gives up when it finds the `dead` mark, so a cell forked just as the CLI died cannot
 * slip through.
 *
 * The watcher is Node itself (`node -e`), not a POSIX shell, so the same watcher runs on every
 * OS; only its kill differs (kill(-pgid) on POSIX, `taskkill /T /F` on Windows), and each
 * OS's kill line lives in its own tree-signals file. It is
 * started once per CLI, detached and not waited for, so its start-up (~40 ms of CPU) is off
 * every cell's path. Chosen over `setpriv --pdeathsig` (PR_SET_PDEATHSIG) after measuring
 * (see docs/performance.md): the parent-death signal reaches only the process it is set on,
 * not the cell's children, and it needs util-linux. A process that leaves its group
 * (`setsid`, a daemon) is not reached, by design.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { platform } from './platform.js';
import { removeFile, scratchRoot } from './scratch.js';
import { WATCHER_KILL_POSIX } from './tree-signals-posix.js';
import { WATCHER_KILL_WIN32 } from './tree-signals-win32.js';

/** The reaper's mark, created before it kills: a late self-registration sees it and exits. */
export const DEAD_MARK = 'dead';

/**
 * Reads until EOF (or an error: the pipe is gone either way), marks the directory dead, kills
 * each registered tree with `kill` (this OS's line, from tree-signals-*.ts), removes the
 * directory. argv: the directory, and a name that shows in `ps` (runbook-reaper). Plain
 * JavaScript in a string: it runs as `node -e`, with nothing of the CLI loaded.
 */
export const reaperScript = (kill: string) => `
const fs = require('node:fs'), path = require('node:path'), cp = require('node:child_process');
const [dir] = process.argv.slice(1);
let done = false;
function kill(id) {
  try { ${kill} } catch {}
}
function reap() {
  if (done) return;
  done = true;
  try { fs.writeFileSync(path.join(dir, 'dead'), ''); } catch {}
  let names = [];
  try { names = fs.readdirSync(dir); } catch {}
  for (const name of names) {
    if (!name.endsWith('.pgid')) continue;
    let id = '';
    try { id = fs.readFileSync(path.join(dir, name), 'utf8').trim(); } catch {}
    if (/^[0-9]+$/.test(id)) kill(Number(id));
  }
  try { fs.rmSync(dir, { recursive: true, force: true }); } catch {}
  process.exit(0);
}
process.stdin.on('data', () => {});
process.stdin.on('end', reap);
process.stdin.on('error', reap);
process.stdin.on('close', reap);
`;

let reaper: { child: ChildProcess; dir: string } | undefined;
let claims = 0;

/** The reaper's directory, starting the reaper on first use. */
export function reaperDir(): string {
  if (reaper) return reaper.dir;
  const dir = mkdtempSync(join(scratchRoot(), 'runbook-reaper-'));
  const child = spawn(process.execPath, ['-e', reaperScript(platform() === 'win32' ? WATCHER_KILL_WIN32 : WATCHER_KILL_POSIX), dir, 'runbook-reaper'], {
    // stdin: the watched pipe. Its own session, so a Ctrl-C or hangup at the terminal never reaches it.
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
    // Windows: a detached process would get a console window of its own.
    windowsHide: true,
  });
  child.stdin?.on('error', () => undefined);
  child.on('error', () => undefined);
  // It must not keep the CLI alive, nor outlive it: neither the process nor the pipe holds the event loop.
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  const started = { child, dir };
  child.once('exit', () => {
    // Killed from outside: the next group starts a new one (groups registered with this one are on their own).
    if (reaper === started) reaper = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  reaper = started;
  return dir;
}

/** The reaper's pid, for tests and for naming it. Undefined before the first group. */
export function reaperPid(): number | undefined {
  return reaper?.child.pid;
}

/**
 * The groups registered, and with which reaper's directory: a bash session's spare is registered
 * as it starts and again when its cell takes it (the cell's own supervisor), and the second
 * write would only repeat the first (an open, a write and a close on the way to the cell's gate).
 */
const registered = new Map<number, string>();

/** Registers a group the CLI started: from now on it dies with the CLI. */
export function registerGroup(pgid: number): void {
  try {
    const dir = reaperDir();
    // Registered with this reaper already; one started since (the last was killed) gets its own file.
    if (registered.get(pgid) === dir) return;
    writeFileSync(join(dir, `${pgid}.pgid`), String(pgid));
    registered.set(pgid, dir);
  } catch {
    // The reaper's directory is gone (its reaper was killed): the exit handler still covers a normal exit.
  }
}

export function unregisterGroup(pgid: number): void {
  registered.delete(pgid);
  if (reaper) removeFile(join(reaper.dir, `${pgid}.pgid`));
}

/**
 * Where a process registers itself: it writes its group id to `path` before doing
 * anything else, then exits if `deadMark` exists (the CLI died as it was starting).
 */
export function selfRegistration(): { path: string; deadMark: string } {
  const dir = reaperDir();
  return { path: join(dir, `claim-${process.pid}-${++claims}.pgid`), deadMark: join(dir, DEAD_MARK) };
}
