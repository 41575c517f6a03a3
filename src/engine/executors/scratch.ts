/**
 * Where executors keep their small per-cell files: each costs ~0.5 ms to write on a
 * busy disk. /dev/shm (memory) when the user has not chosen TMPDIR — it also keeps the
 * environment the files carry off the disk.
 */
import { accessSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';

export function scratchRoot(): string {
  if (process.platform !== 'linux' || process.env.TMPDIR) return tmpdir();
  try {
    accessSync('/dev/shm', constants.W_OK | constants.X_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/** A cell id as part of a file name. */
export function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 60) || 'cell';
}
