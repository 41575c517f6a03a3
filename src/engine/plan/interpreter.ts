/**
 * The program a shell cell runs in. `interpreter=` names a command with its arguments
 * (`bash -x`), a path (`/opt/pwsh/pwsh`, or `./tools/mysh`, relative to the runbook's
 * folder wherever the command is run from), or nothing: `pwsh` for PowerShell, `bash`
 * (else `sh`) for sh cells.
 */
import type { Cell } from '../runbook.js';
import type { InterpreterPlan } from './types.js';
import { findProgram } from '../process/which.js';
import { languageOf } from '../lang/language.js';

/** Undefined for a cell that runs in the database (SQL). `runbookDir` is absolute. */
export function planInterpreter(cell: Cell, runbookDir: string, env: NodeJS.ProcessEnv): InterpreterPlan | undefined {
  const language = languageOf(cell);
  if (!language.defaultInterpreter) return undefined;
  const path = env.PATH ?? '';
  const attribute = typeof cell.attributes.interpreter === 'string' ? cell.attributes.interpreter.trim() : '';
  if (attribute) {
    const [program, ...args] = attribute.split(/\s+/) as [string, ...string[]];
    const command = findProgram(program, path, runbookDir);
    if (command) return { named: attribute, command, args };
    const where = program.includes('/') ? `${program} is not an executable file (relative to ${runbookDir})` : `${program} is not on PATH`;
    return { named: attribute, args, missing: where };
  }
  const { named, missing } = language.defaultInterpreter(path);
  const command = findProgram(named, path);
  if (command) return { named, command, args: [] };
  return { named, args: [], missing };
}

/** The program's name for messages: the first word of what the cell named. */
export function programName(interpreter: InterpreterPlan): string {
  return interpreter.named.split(/\s+/)[0] ?? interpreter.named;
}

export { defaultInterpreterName } from '../lang/default-interpreter.js';
