/**
 * The helper programs the console hands the terminal to, per OS: the editor (`e`) and the
 * pager (`o`). The operator's own choice ($VISUAL, $EDITOR, $PAGER) always wins; the fallback
 * is what the OS has: `vi` and `less -S` on POSIX, `notepad` on Windows, and no pager where
 * `less` is missing (the console then shows the text itself: see renderers/tui/pager.ts).
 */
import { platform } from './platform.js';
import { onPath } from './which.js';

export function defaultEditor(env: NodeJS.ProcessEnv): string {
  return env.VISUAL?.trim() || env.EDITOR?.trim() || (platform() === 'win32' ? 'notepad' : 'vi');
}

/** The pager command line, or undefined when there is none to hand the terminal to. */
export function defaultPager(env: NodeJS.ProcessEnv): string | undefined {
  const chosen = env.PAGER?.trim();
  if (chosen) return chosen;
  return onPath('less', env.PATH ?? env.Path ?? '') ? 'less -S' : undefined;
}

/** One argument for the command line `spawnSync(…, { shell: true })` runs: sh's quoting, or cmd.exe's. */
export function shellArgument(text: string): string {
  if (platform() === 'win32') return `"${text.replace(/"/g, '""')}"`;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
