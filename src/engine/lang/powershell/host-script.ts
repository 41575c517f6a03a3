/**
 * The PowerShell side of the pwsh session (see session.ts) is host.ps1 beside this
 * module; its header describes the protocol it speaks on the channel (session-channel.ts);
 * prompt-host.cs (the cells' PSHost) and host-tools.cs (the host's hot paths), which it
 * compiles, sit beside it. The build copies them into
 * dist/ (tsc copies neither), so they are found from src/ under vitest and from dist/ once built.
 */
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runbookCacheDir } from '../../cache-dir.js';

const FILES = {
  'host.ps1': new URL('./host.ps1', import.meta.url),
  'prompt-host.cs': new URL('./prompt-host.cs', import.meta.url),
  'host-tools.cs': new URL('./host-tools.cs', import.meta.url),
};
const texts = new Map<string, string>();

/** The host script's files by name, read on first use: a run without PowerShell cells never reads them. */
export function pwshHostFiles(): Record<keyof typeof FILES, string> {
  const read = (name: keyof typeof FILES) => {
    const known = texts.get(name);
    if (known !== undefined) return known;
    try {
      const text = readFileSync(FILES[name], 'utf8');
      texts.set(name, text);
      return text;
    } catch (error) {
      const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
      throw new Error(`the PowerShell host file ${fileURLToPath(FILES[name])} cannot be read (${reason}); rebuild with \`npm run build\``);
    }
  };
  return { 'host.ps1': read('host.ps1'), 'prompt-host.cs': read('prompt-host.cs'), 'host-tools.cs': read('host-tools.cs') };
}

/**
 * What names the DLL host.ps1 compiles from the C# files (with the pwsh and .NET versions it adds):
 * their hash, 16 hex digits, taken from the same texts the executor writes beside the script.
 */
export function pwshHostKey(files: Record<'prompt-host.cs' | 'host-tools.cs', string>): string {
  return createHash('sha256').update(files['prompt-host.cs']).update('\n').update(files['host-tools.cs']).digest('hex').slice(0, 16);
}

/**
 * Where the cells' host DLL is kept between runs: the user's cache (`$XDG_CACHE_HOME` or
 * `~/.cache`, `%LOCALAPPDATA%` on Windows), under runbook/pwsh.
 */
export function pwshHostCache(env: NodeJS.ProcessEnv, home: string, windows: boolean): string {
  return join(runbookCacheDir(env, home, windows), 'pwsh');
}
