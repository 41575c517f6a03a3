/**
 * The PowerShell side of the pwsh session (see session.ts) is host.ps1 beside this
 * module; its header describes the protocol it speaks on the channel (session-channel.ts). The build copies it into dist/ (tsc
 * copies no .ps1), so it is found from src/ under vitest and from dist/ once built.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const HOST_SCRIPT_URL = new URL('./host.ps1', import.meta.url);

let hostScript: string | undefined;

/** The host script's text, read on first use: a run without PowerShell cells never reads it. */
export function pwshHostScript(): string {
  if (hostScript !== undefined) return hostScript;
  try {
    hostScript = readFileSync(HOST_SCRIPT_URL, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new Error(`the PowerShell host script ${fileURLToPath(HOST_SCRIPT_URL)} cannot be read (${reason}); rebuild with \`npm run build\``);
  }
  return hostScript;
}
