/**
 * One writer per transcript: `<transcript>.lock` holds the writer's pid and host. It is
 * created atomically (written under a private name, then hard-linked into place, which
 * fails if the lock exists), so a reader never sees an empty lock. A lock whose process
 * is gone (same host) is stale and taken over.
 */
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { InputError } from '../errors.js';

export interface TranscriptLock {
  path: string;
  release(): void;
}

export function lockPathFor(transcriptPath: string): string {
  return `${transcriptPath}.lock`;
}

export function acquireLock(transcriptPath: string): TranscriptLock {
  const lockPath = lockPathFor(transcriptPath);
  const content = `${process.pid}\n${hostname()}\n`;
  const staging = `${lockPath}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  try {
    // Inside the try: on a full disk the staging file may be created and left empty.
    writeFileSync(staging, content, { flag: 'wx' });
    for (let attempt = 0; ; attempt += 1) {
      try {
        linkSync(staging, lockPath);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw error;
        const holder = readHolder(lockPath);
        if (holder && isAlive(holder)) {
          throw new InputError(
            `transcript ${transcriptPath} is in use by process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`} ` +
              `(lock ${lockPath}); wait for that run to end, or choose another --transcript`,
          );
        }
        removeIfStill(lockPath, holder);
      }
    }
  } finally {
    unlinkQuietly(staging);
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    const holder = readHolder(lockPath);
    if (holder?.pid === process.pid && holder.host === hostname()) unlinkQuietly(lockPath);
  };
  return { path: lockPath, release };
}

/**
 * Refuses, as acquireLock would, a transcript a live process holds, without creating or
 * removing anything: a command checks this before its first side effect.
 */
export function checkNotLocked(transcriptPath: string): void {
  const lockPath = lockPathFor(transcriptPath);
  const holder = readHolder(lockPath);
  if (holder && isAlive(holder) && !(holder.pid === process.pid && holder.host === hostname())) {
    throw new InputError(
      `transcript ${transcriptPath} is in use by process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`} ` +
        `(lock ${lockPath}); wait for that run to end, or choose another --transcript`,
    );
  }
}

interface Holder {
  pid: number;
  host: string;
}

function readHolder(lockPath: string): Holder | undefined {
  try {
    const [pid, host] = readFileSync(lockPath, 'utf8').split('\n');
    const number = Number(pid);
    return Number.isInteger(number) && number > 0 ? { pid: number, host: host ?? '' } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(holder: Holder): boolean {
  // A process on another host cannot be checked from here: the lock is taken as held.
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes a stale lock unless another process replaced it meanwhile. */
function removeIfStill(lockPath: string, stale: Holder | undefined): void {
  const now = readHolder(lockPath);
  if (now?.pid === stale?.pid && now?.host === stale?.host) unlinkQuietly(lockPath);
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
