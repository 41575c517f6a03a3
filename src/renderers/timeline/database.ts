/**
 * Which database each cell attempt reached: SQL cells always the run's target; shell and
 * PowerShell cells the run's target too (DATABASE_URL, the frontmatter's variable, PG*),
 * until a cell changes one of those without a sandbox reset (`target.changed`) — then
 * the shell cells after it follow the new value. Read from the transcript, never guessed.
 */
import type { RunStarted, TargetChanged } from '../../engine/events.js';
import type { Lang } from '../../engine/runbook.js';
import { languageOf } from '../../engine/lang/language.js';

export interface ReachedDatabase {
  /** The target's name, or the variable that moved it (`SUPABASE_DB_URL`). */
  name: string;
  /** Masked URL. */
  url: string;
  /** `target`: the run's; `changed`: a value an earlier cell set (`by` names the cell). */
  via: 'target' | 'changed';
  by?: string;
}

export class DatabaseTracker {
  private target: ReachedDatabase | undefined;
  private shell: ReachedDatabase | undefined;

  started(event: RunStarted): void {
    this.target = event.target.kind === 'none' ? undefined : { name: event.target.name, url: event.target.url, via: 'target' };
    this.shell = undefined;
  }

  changed(event: TargetChanged): void {
    if (event.reset) return; // a sandbox run set it back before the next cell
    this.shell = event.to === undefined ? undefined : { name: event.name, url: event.to, via: 'changed', by: event.cell };
  }

  /** Where a cell of this language reaches now. */
  reached(lang: Lang): ReachedDatabase | undefined {
    // SQL cells connect to the run's target whatever the shell's environment says.
    if (languageOf(lang).runsIn === 'database') return this.target;
    return this.shell ?? this.target;
  }
}

/** ` on dragonfly@sandbox`, ` on SUPABASE_DB_URL=postgres://…:54322/postgres (set by env-hygiene)`. */
export function databaseText(database: ReachedDatabase | undefined): string {
  if (!database) return '';
  if (database.via === 'target') return ` on ${database.name}`;
  return ` on ${database.name}=${database.url} (set by ${database.by ?? '?'})`;
}

/** What a cell's own change of the target did, for its row. */
export function changeText(change: Pick<TargetChanged, 'name' | 'to' | 'reset'>): string {
  const what = change.to === undefined ? `unset ${change.name}` : `set ${change.name} to ${change.to}`;
  return change.reset ? `${what} (set back to the sandbox before the next cell)` : `${what}: the shell cells after it reach that database`;
}
