/**
 * The program a shell cell runs in. `interpreter=` names a command with its arguments
 * (`bash -x`), a path (`/opt/pwsh/pwsh`, or `./tools/mysh`, relative to the runbook's
 * folder wherever the command is run from), or nothing: `pwsh` for PowerShell, `bash`
 * (else `sh`) for sh cells.
 */
import type { Cell } from '../runbook.js';
import type { InterpreterPlan } from './types.js';
import { findProgram, powershellInterpreter } from '../process/which.js';

/** Undefined for SQL cells. `runbookDir` is absolute. */
export function planInterpreter(cell: Cell, runbookDir: string, env: NodeJS.ProcessEnv): InterpreterPlan | undefined {
  if (cell.lang === 'sql') return undefined;
  const path = env.PATH ?? '';
  const attribute = typeof cell.attributes.interpreter === 'string' ? cell.attributes.interpreter.trim() : '';
  if (attribute) {
    const [program, ...args] = attribute.split(/\s+/) as [string, ...string[]];
    const command = findProgram(program, path, runbookDir);
    if (command) return { named: attribute, command, args };
    const where = program.includes('/') ? `${program} is not an executable file (relative to ${runbookDir})` : `${program} is not on PATH`;
    return { named: attribute, args, missing: where };
  }
  const named = defaultInterpreterName(cell.lang, path);
  const command = findProgram(named, path);
  if (command) return { named, command, args: [] };
  return { named, args: [], missing: cell.lang === 'powershell' ? `${named} is not on PATH` : 'neither bash nor sh is on PATH' };
}

/** The program's name for messages: the first word of what the cell named. */
export function programName(interpreter: InterpreterPlan): string {
  return interpreter.named.split(/\s+/)[0] ?? interpreter.named;
}

/** The program a cell without `interpreter=` runs in: `pwsh` (Windows PowerShell 5.1 only when named), or `bash` (else `sh`). */
export function defaultInterpreterName(lang: 'sh' | 'powershell', path: string): string {
  if (lang === 'powershell') return powershellInterpreter();
  return findProgram('bash', path) || !findProgram('sh', path) ? 'bash' : 'sh';
}
