/**
 * Which database a run talks to, and the one side effect of getting it: starting the
 * sandbox. The choice itself (target-choice.ts) is pure, so a command can validate and
 * plan before anything starts; `startTarget` runs only after that.
 *
 * The sandbox is seeded from `<runbook>.sandbox.sql` beside the runbook when it exists.
 */
import { existsSync } from 'node:fs';
import { InputError } from './errors.js';
import type { SeedReview } from './sandbox/seed-review.js';
import { maskUrl } from './redact.js';
import type { Runbook } from './runbook.js';
import { chooseTarget, declaredDatabase, usesDatabaseVariable, type ChooseTargetOptions, type Target, type TargetChoice } from './target-choice.js';

export type { TargetKind } from './events.js';
export { chooseTarget, declaredDatabase, postgresTarget, usesDatabaseVariable, type Target, type TargetChoice } from './target-choice.js';

export type ResolveTargetOptions = ChooseTargetOptions;

/** Choice and start in one step, for callers without a plan: any shell cell using the database variable needs it. */
export async function resolveTarget(opts: ResolveTargetOptions): Promise<Target> {
  const envVar = declaredDatabase(opts.runbook)?.variable;
  const needsDatabase = opts.needsDatabase || opts.runbook.cells.some((cell) => usesDatabaseVariable(cell, envVar));
  return startTarget(chooseTarget({ ...opts, needsDatabase }), opts.runbook, opts.env);
}

/** The target a choice names, starting (and seeding) the sandbox when it is the sandbox. */
export async function startTarget(choice: TargetChoice, runbook: Runbook, env: NodeJS.ProcessEnv): Promise<Target> {
  if (choice.kind !== 'sandbox') return choice;
  const seedFile = seedFileFor(runbook.path);
  // Loaded here, not at the top: it pulls in pg (and pg pulls in undici and node:assert), ~90 ms
  // of start-up that `list` and every run without the sandbox would pay for nothing.
  const { ensureSandbox } = await import('./sandbox.js');
  const sandbox = await ensureSandbox({ ...(seedFile ? { seedFile } : {}), env, ...(choice.confirmedSeed ? { confirmedSeed: choice.confirmedSeed } : {}) });
  return {
    kind: 'sandbox',
    url: sandbox.url,
    maskedUrl: maskUrl(sandbox.url),
    name: `${sandbox.database}@sandbox`,
    source: choice.source,
    started: sandbox.started,
    ...(seedFile ? { seedFile } : { seedFileMissing: seedFileName(runbook.path) }),
    ...(choice.envVar ? { envVar: choice.envVar } : {}),
  };
}

/**
 * A seed that reaches outside the database (COPY … PROGRAM, lo_export, dblink…) and was
 * never confirmed is put to `confirm` before anything starts; the choice then carries the
 * confirmed content's sha256 to the sandbox, which runs no other. No seed, a seed that only
 * builds its database, or one confirmed before: the choice as it was. Refused: InputError.
 */
export async function confirmSeed(choice: TargetChoice, runbook: Runbook, env: NodeJS.ProcessEnv, confirm: ((review: SeedReview) => Promise<boolean>) | undefined): Promise<TargetChoice> {
  const seedFile = choice.kind === 'sandbox' ? seedFileFor(runbook.path) : undefined;
  if (choice.kind !== 'sandbox' || !seedFile) return choice;
  const { pendingSeedReview, seedDeclined, seedRefusal } = await import('./sandbox.js');
  const review = await pendingSeedReview(seedFile, env);
  if (!review) return choice;
  if (!confirm) throw new InputError(seedRefusal(review));
  if (!(await confirm(review))) throw new InputError(seedDeclined(review));
  return { ...choice, confirmedSeed: review.sha256 };
}

/**
 * The sandbox named but not started, for a dry run: it runs nothing, so it need not wait
 * seconds (the first time, minutes) for a server nobody will query.
 */
export function unstartedSandbox(choice: Extract<TargetChoice, { kind: 'sandbox' }>): Target {
  return { kind: 'sandbox', url: '', maskedUrl: 'sandbox (not started: dry run)', name: 'sandbox', source: choice.source, ...(choice.envVar ? { envVar: choice.envVar } : {}) };
}

/** `runbooks/dragonfly.md` → `runbooks/dragonfly.sandbox.sql`, when that file exists. */
export function seedFileFor(runbookPath: string): string | undefined {
  const seed = seedFileName(runbookPath);
  return existsSync(seed) ? seed : undefined;
}

/** The seed file's name beside a runbook, whether or not it exists. */
export function seedFileName(runbookPath: string): string {
  return `${runbookPath.replace(/\.(md|markdown)$/i, '')}.sandbox.sql`;
}
