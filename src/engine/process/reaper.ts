/**
 * Cells die with the CLI, however it ends (kill -9 included): one small `sh` per CLI
 * process, the reaper, holds the read end of a pipe only the CLI writes to. The kernel
 * closes that pipe when the CLI's process ends, the reaper reads EOF, and it SIGKILLs
 * every process group registered in its directory: `<dir>/<anything>.pgid`, holding a
 * group id. The CLI registers the groups it starts; a bash session's cell registers
 * itself (its claim file) before it runs a line of the cell, and gives up when it finds
 * the `dead` mark, so a cell forked just as the CLI died cannot slip through.
 *
 * Chosen over `setpriv --pdeathsig` (PR_SET_PDEATHSIG) after measuring both (see
 * docs/performance.md): the parent-death signal reaches only the process it is set on,
 * not the cell's children — `(sleep 2; echo x >> f) &` in a cell still wrote after the
 * CLI was killed — and it needs util-linux; the reaper costs one ~2 ms start per CLI.
 * A process that leaves its group (`setsid`, a daemon) is not reached, by design.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchRoot } from './scratch.js';

/** The reaper's mark, created before it kills: a late self-registration sees it and exits. */
export const DEAD_MARK = 'dead';

/**
 * Reads until EOF, marks the directory dead, kills each registered group, removes the
 * directory. `read` may return non-zero on a last line without newline: the value counts.
 * Its argv[0] names it in `ps`.
 */
const REAPER_SCRIPT = [
  'while read -r _; do :; done',
  ': > "$1/dead"',
  'for f in "$1"/*.pgid; do',
  '  p=; read -r p < "$f" || :',
  '  case $p in ""|*[!0-9]*) ;; *) kill -s KILL -- "-$p" ;; esac',
  'done 2>/dev/null',
  'rm -rf -- "$1"',
].join('\n');

let reaper: { child: ChildProcess; dir: string } | undefined;
let claims = 0;

/** The reaper's directory, starting the reaper on first use. */
export function reaperDir(): string {
  if (reaper) return reaper.dir;
  const dir = mkdtempSync(join(scratchRoot(), 'runbook-reaper-'));
  const child = spawn('/bin/sh', ['-c', REAPER_SCRIPT, 'runbook-reaper', dir], {
    // stdin: the watched pipe. Its own session, so a Ctrl-C or hangup at the terminal never reaches it.
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
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

/** Registers a group the CLI started: from now on it dies with the CLI. */
export function registerGroup(pgid: number): void {
  try {
    writeFileSync(join(reaperDir(), `${pgid}.pgid`), String(pgid));
  } catch {
    // The reaper's directory is gone (its reaper was killed): the exit handler still covers a normal exit.
  }
}

export function unregisterGroup(pgid: number): void {
  if (reaper) rmSync(join(reaper.dir, `${pgid}.pgid`), { force: true });
}

/**
 * Where a process registers itself: it writes its group id to `path` before doing
 * anything else, then exits if `deadMark` exists (the CLI died as it was starting).
 */
export function selfRegistration(): { path: string; deadMark: string } {
  const dir = reaperDir();
  return { path: join(dir, `claim-${process.pid}-${++claims}.pgid`), deadMark: join(dir, DEAD_MARK) };
}
