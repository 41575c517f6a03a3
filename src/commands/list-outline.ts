/**
 * The human outline for `runbook list`: sections (with their budgets) and, under each,
 * one aligned line per cell with its id, language, line, effect and flags; a section with
 * prose and no cell (the Symptoms) with its text, where it stands.
 */
import { isSecretName, MASK } from '../engine/redact.js';
import { duration } from '../renderers/text/time.js';
import type { CellPlan, RunPlan } from '../engine/plan/index.js';
import type { Cell, Runbook, Section } from '../engine/runbook.js';
import { proseSections, type ProseSection } from '../engine/prose-sections.js';
import { displayWidth, padEndTo } from '../renderers/text/width.js';

export function formatOutline(runbook: Runbook, plan: RunPlan): string {
  const plans = new Map(plan.cells.map((c) => [c.id, c]));
  const out: string[] = [`${runbook.title}  (${runbook.path})`, summary(runbook, plans)];
  // reduce, not Math.max(...cells): 200,000 arguments overflow the stack.
  const widest = (width: (cell: Cell) => number) => runbook.cells.reduce((most, cell) => Math.max(most, width(cell)), -Infinity);
  const idWidth = widest((cell) => displayWidth(cell.id));
  const langWidth = widest((cell) => cell.lang.length);
  const lineWidth = widest((cell) => String(cell.line).length);
  const sections = new Map(runbook.sections.map((section) => [pathKey(section.path), section]));
  let currentSection: string | undefined;
  const prose = proseSections(runbook);
  const proseBefore = (id: string | undefined) => prose.filter((section) => section.before === id).flatMap((section) => proseLines(runbook, section));
  for (const cell of runbook.cells) {
    out.push(...proseBefore(cell.id));
    const heading = sectionHeading(runbook, cell, sections);
    if (heading !== currentSection) {
      out.push('', heading);
      currentSection = heading;
    }
    const cellPlan = plans.get(cell.id);
    const flags = cellFlags(cell, cellPlan);
    out.push([
      `  ${padEndTo(cell.id, idWidth)}`,
      cell.lang.padEnd(langWidth),
      `line ${String(cell.line).padStart(lineWidth)}`,
      (cellPlan?.effect ?? 'write').padEnd(5),
      ...flags,
    ].join('  ').trimEnd());
  }
  out.push(...proseBefore(undefined));
  if (runbook.checklist.length > 0) {
    const done = runbook.checklist.filter((item) => item.checked).length;
    out.push('', `Checklist: ${runbook.checklist.length} items, ${done} done (line ${runbook.checklist[0]!.line})`);
  }
  if (runbook.escalation) out.push(`Escalation: ${runbook.escalation}`);
  return `${out.join('\n')}\n`;
}

function summary(runbook: Runbook, plans: ReadonlyMap<string, CellPlan>): string {
  const byLang = new Map<string, number>();
  for (const cell of runbook.cells) byLang.set(cell.lang, (byLang.get(cell.lang) ?? 0) + 1);
  const langs = [...byLang].map(([lang, count]) => `${count} ${lang}`).join(', ');
  const writes = runbook.cells.filter((cell) => plans.get(cell.id)?.effect !== 'read').length;
  const count = runbook.cells.length;
  return `${count} cell${count === 1 ? '' : 's'}: ${langs}; ${count - writes} read, ${writes} write`;
}

/** The section path under the document title, with the budget of the nearest heading. */
function sectionHeading(runbook: Runbook, cell: Cell, sections: ReadonlyMap<string, Section>): string {
  if (cell.section.length === 0) return '(before the first heading)';
  const path = cell.section[0] === runbook.title && cell.section.length > 1 ? cell.section.slice(1) : cell.section;
  const section = sections.get(pathKey(cell.section));
  const budget = section?.budgetMs === undefined ? '' : `  [budget ${duration(section.budgetMs)}]`;
  return `${path.join(' › ')}${budget}`;
}

/** A blank line, the heading as cells' headings are shown, and the prose as written, indented. */
function proseLines(runbook: Runbook, section: ProseSection): string[] {
  const path = section.path[0] === runbook.title && section.path.length > 1 ? section.path.slice(1) : section.path;
  return ['', path.join(' › '), ...section.prose.split('\n').map((line) => (line ? `  ${line}` : ''))];
}

const pathKey = (path: string[]) => path.join('\u0000');

function cellFlags(cell: Cell, plan: CellPlan | undefined): string[] {
  const flags: string[] = [];
  if (cell.placeholders.length > 0) flags.push(`placeholders: ${cell.placeholders.map((name) => `<${name}>`).join(' ')}`);
  // The plan's prompted exports (promptEnv): a quoted default shown after `=`, a bare word or empty one marked `?`.
  if (plan?.prompts?.length) flags.push(`asks: ${plan.prompts.map((p) => (p.kind === 'default' ? `${p.name}=${isSecretName(p.name) ? MASK : JSON.stringify(p.written)}` : `${p.name}?`)).join(' ')}`);
  if (cell.envRefs.length > 0) flags.push(`env: ${cell.envRefs.map((name) => `$${name}`).join(' ')}`);
  if (cell.timeoutMs !== undefined) flags.push(`timeout ${duration(cell.timeoutMs)}`);
  const { attributes } = cell;
  if (attributes.confirm) flags.push('confirm');
  if (attributes.readonly) flags.push('readonly');
  if (attributes.skip) flags.push('skip');
  if (attributes.continueOnError) flags.push('continueOnError');
  if (typeof attributes.db === 'string') flags.push(`db ${attributes.db}`);
  if (typeof attributes.interpreter === 'string') flags.push(`interpreter ${attributes.interpreter}`);
  if (typeof attributes.cwd === 'string') flags.push(`cwd ${attributes.cwd}`);
  if (attributes.excludeFromRunAll) flags.push('not in a whole run');
  if (plan?.runs === 'background') flags.push('background');
  if (plan?.runs === 'terminal') flags.push('interactive: the console lends it the terminal');
  if (cell.session) {
    const { commands, outputLines } = cell.session;
    flags.push(`console session: ${commands} command${commands === 1 ? '' : 's'}${outputLines ? `, ${outputLines} output line${outputLines === 1 ? '' : 's'} not run` : ''}`);
  }
  if (plan?.whyNot?.reason === 'missing-interpreter') flags.push(`(not run here: ${plan.interpreter?.missing ?? plan.whyNot.message})`);
  // Read only with --check-commands (see NEEDS_UNREAD in list.ts).
  const missing = (plan?.needs ?? []).filter((n) => !n.found).map((n) => (n.near ? `${n.name} (${n.near} found)` : n.name));
  if (missing.length) flags.push(`missing: ${missing.join(', ')}`);
  return flags;
}
