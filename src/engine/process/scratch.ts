/**
 * Where executors keep their small per-cell files: each costs ~0.5 ms to write on a
 * busy disk. /dev/shm (memory) when the user has not chosen TMPDIR — it also keeps the
 * environment the files carry off the disk.
 */
import { memoryScratchDir } from './proc-posix.js';
import { mkdtempSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function scratchRoot(): string {
  if (process.platform !== 'linux' || process.env.TMPDIR) return tmpdir();
  return memoryScratchDir() ?? tmpdir();
}

/** A cell id as part of a file name. */
export function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60) || 'cell';
}

/**
 * A scratch directory named after this process (`runbook-shell-<pid>-XXXXXX`). Directories
 * that a killed run left behind (its process is gone) are removed first: a cell's state
 * file carries its environment, and nothing of a run should outlive it.
 */
export function ownScratchDir(prefix: string): string {
  const root = scratchRoot();
  removeOrphans(root, prefix);
  return mkdtempSync(join(root, `${prefix}${process.pid}-`));
}

function removeOrphans(root: string, prefix: string): void {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const pid = new RegExp(`^${prefix}(\\d+)-`).exec(name)?.[1];
    if (!pid || Number(pid) === process.pid || alive(Number(pid))) continue;
    const path = join(root, name);
    try {
      if (uid !== undefined && statSync(path).uid !== uid) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Another run may be removing it at the same moment.
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes one file, if it is there. `rmSync(path, { force: true })` costs two lstat calls
 * and a thrown-and-caught error before its unlink; a bash cell removes four such files.
 */
export function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') rmSync(path, { force: true });
  }
}
