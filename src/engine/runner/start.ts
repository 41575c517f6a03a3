/**
 * The first event of a run: `run.started` carries the outline with each cell's plan, the
 * selection, budgets and escalation, so replay, timeline and resume need not re-read the
 * Markdown or the argv; a resumed run starts with `run.resumed`.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { EventBody } from '../events.js';
import { planRun } from '../plan/index.js';
import type { RunPlan } from '../plan/types.js';
import type { RunnerOptions } from './types.js';

export function startEvent(opts: RunnerOptions, plan: RunPlan): EventBody {
  const { runbook, target, mode, actor, argv, resume } = opts;
  if (resume) return { type: 'run.resumed', actor, host: hostname(), argv, ...(plan.startsAt ? { from: plan.startsAt } : {}), selection: plan.selection };
  const budgets = runbook.sections.filter((s) => s.budgetMs !== undefined).map((s) => ({ section: s.path, budgetMs: s.budgetMs as number }));
  const plans = new Map(plan.cells.map((c) => [c.id, c]));
  return {
    type: 'run.started',
    runbook: { path: runbook.path, sha256: runbook.sha256, title: runbook.title, absolutePath: resolve(runbook.path) },
    actor,
    ...(opts.detectedAt ? { detectedAt: opts.detectedAt } : {}),
    host: hostname(),
    target: { kind: target.kind, url: target.maskedUrl, name: target.name },
    mode,
    argv,
    selection: plan.selection,
    cells: runbook.cells.map((c) => ({ id: c.id, lang: c.lang, line: c.line, section: c.section, effect: plans.get(c.id)?.effect, plan: plans.get(c.id) })),
    ...(budgets.length ? { budgets } : {}),
    ...(runbook.escalation ? { escalation: runbook.escalation } : {}),
    ...(runbook.escalationAfterMs !== undefined ? { escalationAfterMs: runbook.escalationAfterMs } : {}),
    ...symptomsOf(runbook),
    ...(runbook.checklist.length ? { checklist: runbook.checklist.map(({ text, owner, line, checked }) => ({ text, line, checked, ...(owner !== undefined ? { owner } : {}) })) } : {}),
  };
}

/** The runbook's Symptoms section (a section without cells), as written, for the timeline's header. */
function symptomsOf(runbook: RunnerOptions['runbook']): { symptoms?: string } {
  const section = runbook.sections.find((s) => /^symptoms?\b/i.test(s.title) && s.prose);
  return section?.prose ? { symptoms: section.prose } : {};
}

/** Sortable and short: 20261128T193857Z-3f9a1c. */
export function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** The session's plan, or (a Runner made directly, as tests do) one made here by the plan module. */
export async function planOf(opts: RunnerOptions): Promise<RunPlan> {
  if (opts.plan) return opts.plan;
  const { runbook, mode, env, target, allowWrites } = opts;
  return planRun({ runbook, selection: opts.selection ?? {}, env: env ?? process.env, mode, allowWrites: allowWrites === true, target: () => target.kind });
}
