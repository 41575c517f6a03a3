/**
 * The user's cache for runbook, where what can be made again is kept between runs (the
 * PowerShell host's DLL, the SQL parser's answers): `%LOCALAPPDATA%\runbook` on Windows,
 * else `$XDG_CACHE_HOME/runbook`, else `~/.cache/runbook`. The sandbox has its own rule
 * (RUNBOOK_SANDBOX_DIR first; sandbox/paths.ts).
 */
import { homedir, platform } from 'node:os';
import { join } from 'node:path';

export function runbookCacheDir(env: NodeJS.ProcessEnv, home: string = env.HOME || homedir(), windows: boolean = platform() === 'win32'): string {
  if (windows && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'runbook');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'runbook');
}
