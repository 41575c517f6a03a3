/**
 * What Linux's /proc says about a process, in one place. Every caller has a stated fallback
 * where /proc does not exist (macOS, Windows): `ps`, the pid alone, or the OS temp folder.
 */
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';

/** The fields after `pid (comm)` in /proc/<pid>/stat: comm may hold spaces and parentheses, so split after the last ')'. */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** True, false, or undefined where /proc cannot say (not Linux, or the process is gone). */
export function procIsZombie(pid: number): boolean | undefined {
  const fields = statFields(pid);
  return fields ? fields[0] === 'Z' : undefined;
}

/** Field 22 of stat (start time in clock ticks since boot), or undefined. */
export function procStartTicks(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

let boot: string | null | undefined;

/** This boot's id, so a start time from before a reboot is not mistaken for a live process's. */
export function procBootId(): string | undefined {
  if (boot === undefined) {
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      boot = null;
    }
  }
  return boot ?? undefined;
}

/** argv joined by spaces ('' for a zombie or kernel thread), the process name in brackets when empty; undefined without /proc. */
export function procCommandLine(pid: number): string | undefined {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return argv || `[${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}]`;
  } catch {
    return undefined;
  }
}

/** The raw argv bytes (NUL-separated), '' for a zombie; undefined without /proc. */
export function procRawCommandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

/** The pids whose process group is `pgid`, or undefined where /proc cannot be listed. */
export function procGroupMembers(pgid: number): number[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  // pid (comm) state ppid pgrp …
  return entries.filter((entry) => /^\d+$/.test(entry) && Number(statFields(entry)?.[2]) === pgid).map(Number);
}

/** /dev/shm when this machine has it and it is usable: memory, so cells' small files never touch a busy disk. */
export function memoryScratchDir(): string | undefined {
  try {
    accessSync('/dev/shm', constants.W_OK | constants.X_OK);
    return '/dev/shm';
  } catch {
    return undefined;
  }
}
