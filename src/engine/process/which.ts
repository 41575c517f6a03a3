/**
 * Where a program is: an executable file on PATH, or at the path it names (relative to
 * a base folder). Asked for every shell cell a plan covers, so answers are cached per
 * program, PATH value, base and platform.
 *
 * On Windows a program is found as Windows' own shell finds it: PATH is split on `;`, each
 * extension of PATHEXT (`.COM;.EXE;.BAT;.CMD` by default) is tried after the bare name, and
 * names compare case-insensitively (the file system does that; the extension list is matched
 * here without case). There is no execute bit: a regular file is enough.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { posix, win32 } from 'node:path';
import { platform } from './platform.js';

const lookups = new Map<string, string | null>();

const DEFAULT_PATHEXT = '.COM;.EXE;.BAT;.CMD';

/** The absolute path of `program`, or undefined when no executable file is found. */
export function findProgram(program: string, path: string = process.env.PATH ?? process.env.Path ?? '', base: string = process.cwd(), pathext: string = process.env.PATHEXT ?? DEFAULT_PATHEXT): string | undefined {
  const os = platform();
  const key = `${os}\0${program}\0${path}\0${base}\0${os === 'win32' ? pathext : ''}`;
  let found = lookups.get(key);
  if (found === undefined) {
    found = (os === 'win32' ? searchWindows(program, path, base, pathext) : searchPosix(program, path, base)) ?? null;
    lookups.set(key, found);
  }
  return found ?? undefined;
}

/** True when `program` is an executable file on `path` (or at the path it names). */
export function onPath(program: string, path: string = process.env.PATH ?? process.env.Path ?? ''): boolean {
  return findProgram(program, path) !== undefined;
}

function searchPosix(program: string, path: string, base: string): string | undefined {
  const candidates = posix.isAbsolute(program) || program.includes('/')
    ? [posix.resolve(base, program)]
    : path.split(posix.delimiter).filter(Boolean).map((dir) => posix.resolve(posix.join(dir, program)));
  return candidates.find((file) => isExecutableFile(file, constants.X_OK));
}

/** The files Windows would try for `program`, in its order: the name as given, then each PATHEXT extension. */
export function windowsCandidates(program: string, path: string, base: string, pathext: string = DEFAULT_PATHEXT): string[] {
  const extensions = pathext.split(';').map((ext) => ext.trim()).filter((ext) => ext.startsWith('.'));
  const hasExtension = extensions.some((ext) => program.toLowerCase().endsWith(ext.toLowerCase()));
  const names = hasExtension ? [program] : [program, ...extensions.map((ext) => program + ext)];
  const dirs = win32.isAbsolute(program) || /[\\/]/.test(program)
    ? [win32.resolve(base)]
    : path.split(win32.delimiter).map((dir) => dir.replace(/^"(.*)"$/, '$1')).filter(Boolean);
  return dirs.flatMap((dir) => names.map((name) => win32.resolve(dir, name)));
}

function searchWindows(program: string, path: string, base: string, pathext: string): string | undefined {
  return windowsCandidates(program, path, base, pathext).find((file) => isExecutableFile(file, constants.F_OK));
}

function isExecutableFile(file: string, mode: number): boolean {
  try {
    accessSync(file, mode);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The default PowerShell is pwsh (7+) on every OS. Windows PowerShell 5.1 gives `curl`, native
 * errors and missing preferences other meanings, so it runs a cell only when the runbook asks
 * for it by name (`interpreter=powershell`), never as a silent fallback.
 */
export function powershellInterpreter(): string {
  return 'pwsh';
}
