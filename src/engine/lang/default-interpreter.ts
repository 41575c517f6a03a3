/**
 * The program a shell cell without `interpreter=` runs in: `pwsh` for PowerShell (Windows
 * PowerShell 5.1 only when a cell names it), `bash` (else `sh`) for sh. A leaf module, so
 * the executors and the plan read the same answer without importing each other.
 */
import { findProgram, powershellInterpreter } from '../process/which.js';

export function defaultInterpreterName(lang: 'sh' | 'powershell', path: string): string {
  if (lang === 'powershell') return powershellInterpreter();
  return findProgram('bash', path) || !findProgram('sh', path) ? 'bash' : 'sh';
}
