/**
 * A command line the user wrote (`--notify CMD`), run by the OS's own command interpreter, as
 * Node's `shell: true` would: `/bin/sh -c CMD` on POSIX (command-line-posix.ts), and on Windows
 * `%ComSpec%` (cmd.exe) with `/d /s /c "CMD"`, passed verbatim — `/s` strips the outer quotes
 * and keeps the rest as written, so the user's own quoting reaches cmd.exe untouched. Chosen
 * through platform(), so the Windows form is checked here where no Windows machine runs.
 */
import { platform } from './platform.js';
import { posixCommandLine } from './command-line-posix.js';

export interface CommandLineSpawn {
  file: string;
  args: string[];
  /** Windows: the arguments go to cmd.exe as built, without Node's quoting. */
  windowsVerbatimArguments?: boolean;
}

/** `env` is the command's environment: its `ComSpec` names the Windows interpreter. */
export function commandLineSpawn(command: string, env: Record<string, string | undefined>): CommandLineSpawn {
  if (platform() !== 'win32') return posixCommandLine(command);
  const comspec = Object.entries(env).find(([name]) => name.toUpperCase() === 'COMSPEC')?.[1] || 'cmd.exe';
  return { file: comspec, args: ['/d', '/s', '/c', `"${command}"`], windowsVerbatimArguments: true };
}
