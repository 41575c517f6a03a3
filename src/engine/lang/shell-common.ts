/**
 * What sh and PowerShell cells share: a shell runs them with the target in its environment,
 * from the runbook's folder (or the frontmatter's `cwd:`), one executor per interpreter.
 */
import type { InterpreterPlan, EffectPlan } from '../plan/types.js';
import type { Executor } from './executor.js';
import type { Cell } from '../runbook.js';

/** A shell cell writes unless marked readonly: nothing can tell what a program it calls does. */
export function shellEffect(cell: Pick<Cell, 'attributes'>, title: string): EffectPlan {
  if (cell.attributes.readonly === true) return { effect: 'read', because: 'readonly attribute' };
  return { effect: 'write', because: `${title} cell (shell cells write unless marked readonly)` };
}

/** One executor per language and interpreter (command and arguments), so state carries between its cells. */
export function shellExecutorKey(lang: string, interpreter: InterpreterPlan | undefined): string {
  return `${lang}:${JSON.stringify([interpreter?.command, ...(interpreter?.args ?? [])])}`;
}

export async function createShellExecutorFor(lang: 'sh' | 'powershell', interpreter: InterpreterPlan | undefined, _target: { url: string }): Promise<Executor> {
  const command = interpreter?.command;
  // The runner never runs a cell whose interpreter is missing; said plainly if it is asked to.
  if (!command) throw new Error(interpreter?.missing ?? 'no interpreter');
  const { createShellExecutor } = await import('./sh/executor.js');
  return createShellExecutor({ lang, interpreter: { command, args: interpreter?.args ?? [] } });
}
