/**
 * Which cells a selection covers. `--from` and `--only` name cells by id; an unknown id
 * is bad input, named with the ids there are.
 */
import { InputError } from '../errors.js';
import type { RunMode } from '../events.js';
import type { Runbook } from '../runbook.js';
import type { Selection, WhyNot } from './types.js';

/**
 * The selection with every name as the cell's id: a cell's own id, else the name Runme
 * gives an unnamed cell from its first command (`echo-hello`). Recorded so, in run.started.
 */
export function resolveSelection(runbook: Runbook, given: Selection): Selection {
  const idOf = (name: string) => (runbook.cells.some((c) => c.id === name) ? name : (runbook.cells.find((c) => c.runmeName === name)?.id ?? name));
  return {
    ...given,
    ...(given.only ? { only: given.only.map(idOf) } : {}),
    ...(given.from !== undefined ? { from: idOf(given.from) } : {}),
  };
}

/** Throws InputError for an id the runbook does not have. */
export function checkSelection(runbook: Runbook, selection: Selection): void {
  const ids = new Set(runbook.cells.map((c) => c.id));
  const known = () => [...ids].join(', ') || '(none)';
  const named = [...(selection.only ?? []), ...(selection.from ? [selection.from] : [])];
  for (const id of named) {
    if (!ids.has(id)) throw new InputError(`${runbook.path}: no cell named "${id}"; cells are: ${known()}`);
  }
}

/**
 * For each cell id, why the selection leaves it out; cells it covers are absent. A whole
 * run that nobody walks (no `--from`, no `--only`, not the console) leaves out Runme's
 * `excludeFromRunAll` cells, as `runme run --all` does; naming one, starting before it,
 * or the console runs it.
 */
export function unselected(runbook: Runbook, selection: Selection, mode?: RunMode): Map<string, WhyNot> {
  const ids = runbook.cells.map((c) => c.id);
  const out = new Map<string, WhyNot>();
  const from = selection.from ? Math.max(0, ids.indexOf(selection.from)) : 0;
  const only = selection.only?.length ? new Set(selection.only) : undefined;
  const resume = selection.resume;
  const at = resume?.at ? ids.indexOf(resume.at) : -1;
  // A resume point the runbook no longer has (it cannot: resume checks the sha256) falls back to where the run started.
  const resumeAt = at >= 0 ? at + (resume?.after ? 1 : 0) : from;
  const finished = new Set(resume?.finished ?? []);
  const wholeRun = !selection.from && !selection.only?.length && mode !== 'interactive';
  const excluded = new Set(wholeRun ? runbook.cells.filter((c) => c.attributes.excludeFromRunAll === true).map((c) => c.id) : []);
  // Resumed where the operator's path stopped (even a jump back before --from); otherwise from --from.
  const resumed = resume !== undefined && at >= 0;
  const start = resumed ? resumeAt : from;
  ids.forEach((id, index) => {
    if (index < start && resumed) out.set(id, { reason: 'before-resume-point', message: `before where the resumed run picks up (${resume?.at})` });
    else if (index < start) out.set(id, { reason: 'not-selected', message: `before --from ${selection.from}` });
    else if (only && !only.has(id)) out.set(id, { reason: 'not-selected', message: `not in --only ${[...only].join(',')}` });
    else if (excluded.has(id)) out.set(id, { reason: 'not-selected', message: 'excludeFromRunAll: a whole run leaves it out; name it with --only to run it' });
    else if (finished.has(id)) out.set(id, { reason: 'already-run', message: 'finished before the run was resumed' });
  });
  return out;
}
