/**
 * Where a program is: an executable file on PATH, or at the path it names (relative to
 * a base folder). Asked for every shell cell a plan covers, so answers are cached per
 * program, PATH value and base.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

const lookups = new Map<string, string | null>();

/** The absolute path of `program`, or undefined when no executable file is found. */
export function findProgram(program: string, path: string = process.env.PATH ?? '', base: string = process.cwd()): string | undefined {
  const key = `${program}\0${path}\0${base}`;
  let found = lookups.get(key);
  if (found === undefined) {
    found = search(program, path, base) ?? null;
    lookups.set(key, found);
  }
  return found ?? undefined;
}

/** True when `program` is an executable file on `path` (or at the path it names). */
export function onPath(program: string, path: string = process.env.PATH ?? ''): boolean {
  return findProgram(program, path) !== undefined;
}

function search(program: string, path: string, base: string): string | undefined {
  const candidates = isAbsolute(program) || program.includes('/')
    ? [resolve(base, program)]
    : path.split(delimiter).filter(Boolean).map((dir) => resolve(join(dir, program)));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

/** The default PowerShell: pwsh; on Windows without it, Windows PowerShell 5.1. */
export function powershellInterpreter(env: NodeJS.ProcessEnv): string {
  const path = env.PATH ?? env.Path ?? '';
  if (process.platform === 'win32' && !onPath('pwsh.exe', path) && onPath('powershell.exe', path)) return 'powershell.exe';
  return 'pwsh';
}
