/**
 * One executor per language family (and interpreter) per run, created when a cell
 * first needs it and closed at the end, so shell state carries from cell to cell.
 * Executors are imported when first needed: a shell-only runbook never loads pg.
 */
import { dirname, resolve } from 'node:path';
import { bindCellPlaceholders, type PowerShellParser } from '../placeholders.js';
import type { Executor } from '../executors/executor.js';
import type { Cell } from '../runbook.js';
import type { Target } from '../target.js';
import { interpreterOf } from './plan.js';

export class ExecutorPool {
  /** Promises, so that callers asking at once (preflight parses every PowerShell cell together) share one executor. */
  private readonly executors = new Map<string, Promise<Executor>>();

  constructor(private readonly target: Target) {}

  get(cell: Cell): Promise<Executor> {
    const key = cell.lang === 'sql' ? 'sql' : `${cell.lang}:${String(cell.attributes.interpreter ?? '')}`;
    let executor = this.executors.get(key);
    if (!executor) {
      executor = cell.lang === 'sql' ? this.sql() : this.shell(cell);
      this.executors.set(key, executor);
      // A failed start is not kept: the next cell tries again (and meets the same error, told its own way).
      executor.catch(() => this.executors.delete(key));
    }
    return executor;
  }

  private async sql(): Promise<Executor> {
    if (!this.target.url) throw new Error('a SQL cell needs a database target, and none was resolved');
    const { createSqlExecutor } = await import('../executors/sql.js');
    return createSqlExecutor({ url: this.target.url, applicationName: 'runbook' });
  }

  private async shell(cell: Cell): Promise<Executor> {
    const lang = cell.lang === 'powershell' ? 'powershell' : 'sh';
    const interpreter = typeof cell.attributes.interpreter === 'string' ? interpreterOf(cell) : undefined;
    const { createShellExecutor } = await import('../executors/shell.js');
    return createShellExecutor(interpreter ? { lang, interpreter } : { lang });
  }

  /** PowerShell's parser in the session the cell will run in (started if need be), when the cell runs in one. */
  async parserFor(cell: Cell): Promise<PowerShellParser | undefined> {
    if (cell.lang !== 'powershell') return undefined;
    const executor = await this.get(cell);
    return 'parse' in executor ? (executor as Executor & PowerShellParser) : undefined;
  }

  async closeAll(): Promise<void> {
    const all = [...this.executors.values()];
    this.executors.clear();
    await Promise.allSettled(all.map(async (e) => (await e).close()));
  }
}

/** Where a shell cell runs: the runbook's directory, or its `cwd` attribute from there. */
export function cellCwd(cell: Cell, runbookPath: string): string {
  const base = dirname(resolve(runbookPath));
  return typeof cell.attributes.cwd === 'string' ? resolve(base, cell.attributes.cwd) : base;
}

export interface PreparedCell {
  /** The source handed to the executor: placeholders bound as literals or env references. */
  source: string;
  env: Record<string, string>;
  cwd: string;
  /** The placeholders bound in this source, for the record of which values the cell used. */
  bound: string[];
}

/**
 * Binds a cell's placeholders (values never become code) and builds the environment a
 * shell sees: the process's, the target URL as DATABASE_URL and under the name the
 * frontmatter gave it, and the cell's bound values (as RUNBOOK_VAR_<NAME>). A SQL cell runs in the database session and
 * gets no environment: copying process.env was a tenth of the runner's own time per SQL cell.
 */
export async function prepareCell(
  cell: Cell,
  source: string,
  values: Record<string, string>,
  target: Target,
  runbookPath: string,
  baseEnv: NodeJS.ProcessEnv = process.env,
  parser?: PowerShellParser,
): Promise<PreparedCell> {
  // From the source as it stands, so a placeholder the operator typed in an edit is bound too.
  const names = Object.keys(values).filter((name) => source.includes(`<${name}>`));
  const bound = await bindCellPlaceholders(cell.lang, source, names, values, parser);
  const cwd = cellCwd(cell, runbookPath);
  if (cell.lang === 'sql') return { source: bound.source, env: {}, cwd, bound: names };
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(baseEnv)) if (value !== undefined) env[key] = value;
  if (target.url) {
    env.DATABASE_URL = target.url;
    if (target.envVar) env[target.envVar] = target.url;
  }
  // Only the cell's own placeholders, under RUNBOOK_VAR_ names: a value named PATH or
  // BASH_ENV must not become the shell's PATH or BASH_ENV.
  Object.assign(env, bound.env);
  return { source: bound.source, env, cwd, bound: names };
}
