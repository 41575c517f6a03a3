/**
 * One executor per language family (and interpreter) per run, created when a cell
 * first needs it and closed at the end, so shell state carries from cell to cell.
 * Executors are imported when first needed: a shell-only runbook never loads pg.
 */
import { bindCellPlaceholders, type PowerShellParser } from '../placeholders.js';
import type { Executor } from '../lang/executor.js';
import type { CellPlan } from '../plan/types.js';
import type { Cell } from '../runbook.js';
import type { Target } from '../target.js';
import { TargetEnv } from '../target-env.js';
import { languageOf } from '../lang/language.js';

export class ExecutorPool {
  /** Promises, so that callers asking at once (preflight parses every PowerShell cell together) share one executor. */
  private readonly executors = new Map<string, Promise<Executor>>();

  /** The run's target in the names shell cells read it from (DATABASE_URL, PGHOST…, the password file). */
  readonly targetEnv: TargetEnv;

  constructor(private readonly target: Target) {
    this.targetEnv = new TargetEnv(target);
  }

  /**
   * Starts now the sessions whose language parses cells in them (PowerShell), for the cells
   * that will run: the plan is completed by their parser before `run.started`, and pwsh's own
   * start (~0.5 s) is the longest wait before the console's first question, so it overlaps
   * the console's first frame and the database probe instead of following them. A start that
   * fails is not kept: the parse or cell that asks again meets it, and preflight says why.
   */
  startParsers(plans: readonly CellPlan[]): void {
    for (const plan of plans) {
      if (!plan.willRun || !languageOf(plan).parsedInSession || !plan.interpreter?.command) continue;
      void this.get(plan)
        .then((executor) => executor.startSession?.())
        .catch(() => undefined);
    }
  }

  /** The executor for a cell as its plan has it: one per language and interpreter (command and arguments). */
  get(plan: CellPlan): Promise<Executor> {
    const language = languageOf(plan);
    const key = language.executorKey(plan.interpreter);
    let executor = this.executors.get(key);
    if (!executor) {
      executor = language.createExecutor(plan.interpreter, this.target);
      this.executors.set(key, executor);
      // A failed start is not kept: the next cell tries again (and meets the same error, told its own way).
      executor.catch(() => this.executors.delete(key));
    }
    return executor;
  }

  /** The language's own parser in the session the cell will run in (started if need be), when it has one (PowerShell). */
  async parserFor(plan: CellPlan): Promise<PowerShellParser | undefined> {
    if (!languageOf(plan).parsedInSession || !plan.interpreter?.command) return undefined;
    const executor = await this.get(plan);
    return 'parse' in executor ? (executor as Executor & PowerShellParser) : undefined;
  }

  async closeAll(): Promise<void> {
    const all = [...this.executors.values()];
    this.executors.clear();
    await Promise.allSettled(all.map(async (e) => (await e).close()));
    this.targetEnv.close();
  }
}

export interface PreparedCell {
  /** The source handed to the executor: placeholders bound as literals or env references. */
  source: string;
  env: Record<string, string>;
  /** The placeholders bound in this source, for the record of which values the cell used. */
  bound: string[];
}

/**
 * Binds a cell's placeholders (values never become code) and builds the environment a
 * shell sees: the process's, the run's target (target-env.ts: DATABASE_URL, the name the
 * frontmatter gave it, libpq's PG* names), and the cell's bound values (as RUNBOOK_VAR_<NAME>). A SQL cell runs in the database session and
 * gets no environment: copying process.env was a tenth of the runner's own time per SQL cell.
 */
export async function prepareCell(
  cell: Cell,
  source: string,
  values: Record<string, string>,
  /** The run's target for shells; undefined where no shell runs (a dry run shows sources only). */
  target: TargetEnv | undefined,
  baseEnv: NodeJS.ProcessEnv = process.env,
  parser?: PowerShellParser,
  /** The plan's prompted `export NAME=…` names for this cell (promptEnv). */
  prompted: readonly string[] = [],
): Promise<PreparedCell> {
  // From the source as it stands, so a placeholder the operator typed in an edit is bound too.
  const names = Object.keys(values).filter((name) => source.includes(`<${name}>`));
  const bound = await bindCellPlaceholders(cell.lang, source, names, values, parser, prompted);
  if (languageOf(cell).runsIn === 'database') return { source: bound.source, env: {}, bound: names };
  const used = [...names, ...prompted.filter((name) => values[name] !== undefined && !names.includes(name))];
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(baseEnv)) if (value !== undefined) env[key] = value;
  target?.apply(env);
  // Only the cell's own placeholders, under RUNBOOK_VAR_ names: a value named PATH or
  // BASH_ENV must not become the shell's PATH or BASH_ENV.
  Object.assign(env, bound.env);
  return { source: bound.source, env, bound: used };
}
