/**
 * Which database a run will talk to, decided without touching anything: the URL from
 * `--db`, `RUNBOOK_DATABASE_URL` or the frontmatter, checked; or "the sandbox" (started
 * later, by target.ts, only once the command has been validated and planned); or none.
 * First match wins:
 *
 *   1. `--db URL` (or `--db sandbox` to ask for the sandbox explicitly)
 *   2. `RUNBOOK_DATABASE_URL`
 *   3. frontmatter `database:` — a literal URL, or `$VAR` / `${VAR}` / `$env:VAR` naming an
 *      environment variable, used when that variable is set (non-empty)
 *   4. the sandbox, when the run needs a database; otherwise none
 *
 * A target that was configured but is unusable is an InputError, never a silent fall
 * back to the sandbox. An empty variable counts as unset.
 */
import { InputError } from './errors.js';
import type { TargetKind } from './events.js';
import { readDatabaseUrl } from './database-url.js';
import { maskUrl } from './redact.js';
import type { Lang, Runbook } from './runbook.js';
import { languageOf } from './lang/language.js';

export interface Target {
  kind: TargetKind;
  /** Full URL, password included; '' for `none`. */
  url: string;
  maskedUrl: string;
  /** What the operator types to confirm a write: `database@host`, e.g. `postgres@db.example.com`. */
  name: string;
  /** The environment variable the frontmatter names (e.g. SUPABASE_DB_URL); shells get the URL under it too. */
  envVar?: string;
  /** How the target was chosen. */
  source?: 'flag' | 'env' | 'frontmatter' | 'sandbox' | 'none';
  /** Sandbox only: this resolution started the server (first run, after a stop or crash). */
  started?: boolean;
  /** Sandbox only: the seed file its database came from. */
  seedFile?: string;
  /** Sandbox only, when there is no seed file: the file that would seed it. */
  seedFileMissing?: string;
}

/** A decided target: a checked URL, no database, or the sandbox still to be started. */
export type TargetChoice =
  | (Target & { kind: 'postgres' | 'none' })
  | { kind: 'sandbox'; source: 'flag' | 'sandbox'; envVar?: string; /** sha256 of a seed reaching outside the database, confirmed for this run. */ confirmedSeed?: string };

export interface ChooseTargetOptions {
  db?: string;
  env: NodeJS.ProcessEnv;
  runbook: Runbook;
  /** True when a cell that will run talks to the database (the plan says). */
  needsDatabase: boolean;
}

const VARIABLE = /^\$(?:env:)?(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))$/;

/** Pure: reads the options and the environment, starts and connects nothing. */
export function chooseTarget(opts: ChooseTargetOptions): TargetChoice {
  const { runbook, env } = opts;
  const declared = declaredDatabase(runbook);
  const envVar = declared?.variable;
  const withVar = <T extends TargetChoice>(target: T): T => (envVar ? { ...target, envVar } : target);

  if (opts.db !== undefined) {
    if (opts.db.trim().toLowerCase() === 'sandbox') return withVar({ kind: 'sandbox', source: 'flag' });
    return withVar(postgresTarget(opts.db, '--db', 'flag'));
  }
  if (env.RUNBOOK_DATABASE_URL) return withVar(postgresTarget(env.RUNBOOK_DATABASE_URL, 'RUNBOOK_DATABASE_URL', 'env'));
  if (declared?.url) return withVar(postgresTarget(declared.url, `${runbook.path}: frontmatter database:`, 'frontmatter'));
  if (envVar && env[envVar]) return withVar(postgresTarget(env[envVar] as string, `$${envVar} (named by ${runbook.path})`, 'frontmatter'));
  if (!opts.needsDatabase) return withVar({ kind: 'none', url: '', maskedUrl: '', name: 'none', source: 'none' });
  return withVar({ kind: 'sandbox', source: 'sandbox' });
}

/** The frontmatter's `database:` read as a variable name or a literal URL. */
export function declaredDatabase(runbook: Runbook): { variable?: string; url?: string } | undefined {
  const raw = runbook.database ?? (typeof runbook.frontmatter.database === 'string' ? runbook.frontmatter.database : undefined);
  const value = raw?.trim();
  if (!value) return undefined;
  const match = VARIABLE.exec(value);
  if (match) return { variable: (match[1] ?? match[2]) as string };
  if (/^postgres(ql)?:\/\//i.test(value)) return { url: value };
  throw new InputError(
    `${runbook.path}: frontmatter database: '${maskUrl(value)}' is neither $VARIABLE nor a postgres:// URL; write e.g. database: $DATABASE_URL`,
  );
}

/** A shell cell that mentions the database variable (or DATABASE_URL) needs a database even without SQL cells. */
export function usesDatabaseVariable(cell: { lang: Lang; envRefs: string[] }, envVar: string | undefined): boolean {
  // A cell that runs in the database session reads its target from the run, not from a variable.
  if (languageOf(cell).runsIn === 'database') return false;
  const wanted = new Set(['DATABASE_URL', ...(envVar ? [envVar] : [])]);
  return cell.envRefs.some((ref) => wanted.has(ref.replace(/^\$(env:)?\{?|\}$/g, '')));
}

/**
 * A configured connection string, checked and read by pg's own parser; `where` says where
 * it came from, for the error line. A libpq key/value string becomes the equivalent URL.
 * Every error line shows the string with its password masked, however it was written.
 */
export function postgresTarget(raw: string, where: string, source: Target['source']): Target & { kind: 'postgres' } {
  const { url, parts } = readDatabaseUrl(raw, where);
  const database = parts.database || parts.user || 'postgres';
  return { kind: 'postgres', url, maskedUrl: maskUrl(url), name: `${database}@${parts.host}`, source };
}
