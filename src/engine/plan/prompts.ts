/**
 * Which `export NAME=…` lines of a cell the run asks values for (Runme's promptEnv), read
 * once here for list, preflight, the console and the binder. Runme asks in every document;
 * here a cell asks when it says `promptEnv` (`yes` or `auto`), or when the document is a
 * Runme notebook (its frontmatter has `runme:`, or its cells carry Runme's `id`s) and the
 * cell does not say `promptEnv=no`. A frontmatter `skipPrompts: true` turns it off for the
 * whole document, as in Runme. A runbook written for this tool keeps its `export` lines as
 * code: its values are `<PLACEHOLDERS>`.
 */
import { findExportPrompts } from '../lang/sh/prompt-env.js';
import { documentLine } from '../lang/document-position.js';
import { languageOf } from '../lang/language.js';
import type { Cell, Runbook } from '../runbook.js';
import { programName } from './interpreter.js';
import type { InterpreterPlan, PromptPlan } from './types.js';

export async function planPrompts(cell: Cell, runbook: Runbook, interpreter: InterpreterPlan | undefined): Promise<PromptPlan[]> {
  const mode = promptMode(cell, runbook);
  if (mode === 'no' || !languageOf(cell).runme) return [];
  // fish has no `${NAME}`: its export lines run as written.
  if (interpreter && programName(interpreter).endsWith('fish')) return [];
  const found = await findExportPrompts(cell.source);
  // The line in the document: a console session's commands sit between lines of output.
  return found.map(({ name, written, kind, line }) => ({ name, written, kind, always: mode === 'yes', line: documentLine(cell, line) }));
}

function promptMode(cell: Cell, runbook: Runbook): 'yes' | 'no' | 'auto' {
  if (isTrue(runbook.frontmatter.skipPrompts)) return 'no';
  if (cell.attributes.promptEnv) return cell.attributes.promptEnv;
  return isRunmeNotebook(runbook) ? 'auto' : 'no';
}

/** Per runbook, once: every shell cell asks, and a scan per cell made planning quadratic (200,000 cells never finished). */
const notebooks = new WeakMap<Runbook, boolean>();

/** Written by Runme: its frontmatter block, or its ULID `id` on a cell. */
export function isRunmeNotebook(runbook: Runbook): boolean {
  let known = notebooks.get(runbook);
  if (known === undefined) {
    known = 'runme' in runbook.frontmatter || runbook.cells.some((cell) => typeof cell.attributes.id === 'string');
    notebooks.set(runbook, known);
  }
  return known;
}

function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && ['true', 'yes', '1'].includes(value.trim().toLowerCase()));
}
