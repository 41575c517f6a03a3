/**
 * A rehearsal in words, one line per statement, for every screen alike: `UPDATE would
 * change 9 rows`, `statement 2: not rehearsed: pg_terminate_backend() acts outside the
 * transaction…`, and a closing line that says nothing was kept.
 */
import type { SqlRehearsal } from '../engine/events.js';

type Rehearsed = SqlRehearsal['statements'][number];

export function rehearsalLines(event: Pick<SqlRehearsal, 'statements' | 'error' | 'lockTimeoutMs' | 'statementTimeoutMs'>): string[] {
  if (event.error) return [`rehearsal: could not rehearse: ${event.error}`];
  const limits = event.lockTimeoutMs !== undefined ? `, lock_timeout ${event.lockTimeoutMs} ms, statement_timeout ${event.statementTimeoutMs ?? 0} ms` : '';
  return [...event.statements.map((s) => `rehearsal: ${rehearsalLine(s)}`), `rehearsal: rolled back; nothing was changed${limits}`];
}

export function rehearsalLine(statement: Rehearsed): string {
  const title = statement.title ? ` (${statement.title})` : '';
  if (statement.outcome === 'not-rehearsed') return `statement ${statement.index}${title}: not rehearsed: ${statement.why ?? ''}`;
  if (statement.outcome === 'failed') return `statement ${statement.index}${title} would fail: ${statement.error?.message ?? ''}${statement.error?.code ? ` (${statement.error.code})` : ''}`;
  return `${wouldDo(statement.command ?? '', statement.rowCount ?? 0)}${title}`;
}

function wouldDo(command: string, rows: number): string {
  const n = `${rows} ${rows === 1 ? 'row' : 'rows'}`;
  switch (command) {
    case 'UPDATE':
      return `UPDATE would change ${n}`;
    case 'INSERT':
      return `INSERT would add ${n}`;
    case 'DELETE':
      return `DELETE would remove ${n}`;
    case 'MERGE':
      return `MERGE would touch ${n}`;
    case 'SELECT':
      return `SELECT would return ${n}`;
    default:
      return `${command || 'the statement'} would run`;
  }
}
