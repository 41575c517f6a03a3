/**
 * The client's rebuilt world (../shared/world: their scripts, a Railway stand-in, .env files),
 * made into a temporary directory for a test. Where it is absent (or pwsh is), such tests are skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findProgram, onPath } from '../../src/engine/process/which.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** ../shared beside the clone (CI), or beside the worktrees' parent. */
const MAKE_WORLD = [join(ROOT, '..', 'shared'), join(ROOT, '..', '..', 'shared')].map((dir) => join(dir, 'world', 'make-world.sh')).find((file) => existsSync(file));

/** The world can be made here and its PowerShell cells run. */
export const worldReady = MAKE_WORLD !== undefined && onPath('pwsh', process.env.PATH ?? '');

const made: string[] = [];

/** Removes every world this test file made (call from afterAll). */
export function removeWorlds(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fresh world whose `.env.prod` names `prodDb`; its directory and the environment its env.sh sets (bin/railway first on PATH). */
export function makeWorld(prodDb: string): { dir: string; env: NodeJS.ProcessEnv } {
  if (!MAKE_WORLD) throw new Error('no ../shared/world/make-world.sh beside this checkout');
  const dir = mkdtempSync(join(tmpdir(), 'runbook-world-'));
  made.push(dir);
  execFileSync(MAKE_WORLD, [dir, '--runbook', join(ROOT, 'runbooks', 'dragonfly.md'), '--prod-db', prodDb], { stdio: 'ignore' });
  return { dir, env: { PATH: `${join(dir, 'bin')}:${pythonOnPath(dir, process.env.PATH ?? '')}${process.env.PATH ?? ''}`, CURL_HOME: join(dir, '.world') } };
}

/**
 * The client's machine has `python` (the runbook calls `python -m tools.…`); a Debian machine
 * may have only `python3`. Where `python` is missing, the world's PATH gets a link named
 * python to python3 (a test-machine fix, not the engine's: the engine says "python3 found").
 */
export function pythonOnPath(dir: string, path: string): string {
  if (onPath('python', path)) return '';
  const python3 = findProgram('python3', path);
  if (!python3) return '';
  const shim = join(dir, '.test-python');
  mkdirSync(shim, { recursive: true });
  symlinkSync(python3, join(shim, 'python'));
  return `${shim}:`;
}
