/**
 * What a shell or PowerShell cell left in the environment the next cells start from,
 * looked at after every cell: secrets it loaded join the masking for the rest of the run
 * (every sink: screens, transcript, sidecars), and a change to where the database is
 * (DATABASE_URL, the frontmatter's variable, libpq's PG* names) is recorded and shown as
 * `target.changed`. In a sandbox run those names are set back to the sandbox before every
 * cell (cell-context.ts pins them), and the record says so.
 */
import { createRedactor, isSecretName, MASK, maskUrl } from '../redact.js';
import { secretEnvValues } from '../variables.js';
import type { EnvChange } from '../process/shell-session.js';
import type { CellRun } from './cell-context.js';

export function watchEnv(run: Pick<CellRun, 'cell' | 'options' | 'emitter' | 'executors'>, changes: readonly EnvChange[]): void {
  const { cell, options, emitter, executors } = run;
  const set = changes.filter((change): change is EnvChange & { to: string } => change.to !== undefined);
  // Before anything about them is written: the change records below are masked too. (A
  // password inside a connection URL is masked wherever the URL is printed, by the redactor's own rule.)
  emitter.addSecrets(secretEnvValues(Object.fromEntries(set.map((change) => [change.name, change.to])), options.runbook));
  const watched = new Set(executors.targetEnv.names);
  const reset = options.target.kind === 'sandbox';
  for (const change of changes) {
    if (!watched.has(change.name)) continue;
    // PGPASSWORD=abc is too short to join the masking (it would mask every "abc"): its record never holds it.
    const shown = (value: string) => (isSecretName(change.name) ? MASK : masked(value));
    emitter.emit({
      type: 'target.changed',
      cell: cell.id,
      name: change.name,
      ...(change.from !== undefined ? { from: shown(change.from) } : {}),
      ...(change.to !== undefined ? { to: shown(change.to) } : {}),
      reset,
    });
  }
}

/**
 * A connection string with its password masked in place, the rest readable
 * (`postgresql://postgres:********@127.0.0.1:54322/postgres`, where the password is
 * `postgres` too); forms the URL rule does not know go through maskUrl.
 */
function masked(value: string): string {
  const inPlace = createRedactor([])(value);
  return inPlace !== value ? inPlace : maskUrl(value);
}
