/**
 * Is a program runnable? Asked by preflight for every cell and by the shell executor for
 * every cell's default interpreter, so answers are cached per program and PATH value.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

const lookups = new Map<string, boolean>();

/** True when `program` is an executable file on `path` (or at the path it names). */
export function onPath(program: string, path: string = process.env.PATH ?? ''): boolean {
  const key = `${program}\0${path}`;
  let found = lookups.get(key);
  if (found === undefined) {
    found = search(program, path);
    lookups.set(key, found);
  }
  return found;
}

/** The default PowerShell: pwsh; on Windows without it, Windows PowerShell 5.1. */
export function powershellInterpreter(env: NodeJS.ProcessEnv): string {
  if (process.platform === 'win32' && !onPath('pwsh.exe', env.PATH ?? env.Path ?? '') && onPath('powershell.exe', env.PATH ?? env.Path ?? '')) return 'powershell.exe';
  return 'pwsh';
}

function search(program: string, path: string): boolean {
  const candidates = isAbsolute(program) || program.includes('/')
    ? [program]
    : path.split(delimiter).filter(Boolean).map((dir) => join(dir, program));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
