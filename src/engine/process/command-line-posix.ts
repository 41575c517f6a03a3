/** The POSIX shell that runs a command line the user wrote, and the gate's prelude (gate-posix.ts). */
export const POSIX_SHELL = '/bin/sh';

export function posixCommandLine(command: string): { file: string; args: string[] } {
  return { file: POSIX_SHELL, args: ['-c', command] };
}
