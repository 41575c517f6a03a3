/**
 * A rehearsal of a SQL write: its statements run on the target inside one transaction that
 * is always rolled back, under a short lock_timeout and statement_timeout, on a connection
 * of its own, and what each would do is counted (`UPDATE would change 9 rows`). No row is
 * kept. A statement whose effect a rollback cannot undo — it signals another session, calls
 * out (dblink), advances a sequence, runs a program, calls what is not a read (a VOLATILE
 * user function, a view or aggregate whose definition ends sessions: judged as effects.ts
 * judges a read), or cannot run inside a transaction — is not rehearsed, nor is anything
 * after it, and the result says why.
 */
import pg from 'pg';
import { calls } from './calls.js';
import { unreadCall, type Catalogue } from './effects.js';
import { OUTSIDE_TRANSACTION } from './readonly.js';
import { READ_AS_LOCAL } from './connection.js';
import { StatementBatch } from './statement.js';
import { splitStatements, type Statement } from './statements.js';
import { ownTransactionReason } from './transaction-scope.js';
import type { RehearsedStatement } from '../../events.js';
import { kindOf } from './tree-walk.js';


export interface Rehearsal {
  statements: RehearsedStatement[];
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

export interface RehearseOptions {
  url: string;
  /** The cell's source with its placeholders bound (as it would run). */
  source: string;
  /** `runbook.<name>` session settings, as the executor sets them. */
  settings?: Record<string, string>;
  /** The target's catalogue (the run's); without it the built-in one judges what a statement calls. */
  catalogue?: Catalogue;
  /** Defaults: 2 s to wait for a lock, 10 s per statement. */
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
}

/** Sequence functions: nextval's increment survives a rollback. */
const SEQUENCES = new Set(['nextval', 'setval']);

export async function rehearseSql(options: RehearseOptions): Promise<Rehearsal> {
  const lockTimeoutMs = options.lockTimeoutMs ?? 2000;
  const statementTimeoutMs = options.statementTimeoutMs ?? 10_000;
  const statements = await splitStatements(options.source);
  const rehearsal: Rehearsal = { statements: [], lockTimeoutMs, statementTimeoutMs };
  const client = new pg.Client({ connectionString: options.url, application_name: 'runbook (rehearsal)', connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`BEGIN; SET LOCAL lock_timeout = ${lockTimeoutMs}; SET LOCAL statement_timeout = ${statementTimeoutMs}`);
    const settings = Object.entries(options.settings ?? {});
    if (settings.length) {
      const sets = settings.map((_, i) => `pg_catalog.set_config($${2 * i + 1}, $${2 * i + 2}, true)`);
      await client.query({ text: `SELECT ${sets.join(', ')}`, values: settings.flat() });
    }
    let stopped: string | undefined;
    for (const [i, statement] of statements.entries()) {
      const head = { index: i + 1, ...(statement.title ? { title: statement.title } : {}) };
      const why = stopped ?? escapesRollback(statement, options.catalogue);
      if (why) {
        rehearsal.statements.push({ ...head, outcome: 'not-rehearsed', why });
        stopped ??= `it comes after statement ${i + 1}, which was not rehearsed`;
        continue;
      }
      try {
        // Read by the server as the parser read it (connection.ts, READ_AS), whatever the database's defaults or a statement before it set.
        const outcome = await new StatementBatch(statement.text, 0, { before: READ_AS_LOCAL.map((sql) => ({ sql, quiet: true })), after: [] }).run(client);
        rehearsal.statements.push({ ...head, outcome: 'rehearsed', command: outcome.command, rowCount: outcome.rowCount });
      } catch (error) {
        const failure = error as { message?: string; code?: string };
        rehearsal.statements.push({ ...head, outcome: 'failed', error: { message: failure.message ?? String(error), ...(failure.code ? { code: failure.code } : {}) } });
        stopped = `statement ${i + 1} failed in the rehearsal`;
      }
    }
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    await client.end().catch(() => {});
  }
  return rehearsal;
}

/** Why a rollback would not undo this statement, or undefined when it would. */
export function escapesRollback(statement: Statement, catalogue?: Catalogue): string | undefined {
  const node = statement.node ?? {};
  const own = ownTransactionReason([statement]);
  if (own) return own;
  const [kind, body] = kindOf(node);
  const fields = (body ?? {}) as Record<string, unknown>;
  if (kind === 'DoStmt') return 'a DO block runs code that cannot be judged before it runs';
  if (kind === 'NotifyStmt') return 'NOTIFY signals other sessions';
  if (kind === 'CopyStmt' && fields.is_program === true) return 'COPY … PROGRAM runs a program on the server';
  if (kind === 'CopyStmt' && typeof fields.filename === 'string') return 'COPY reads or writes a server file';
  for (const name of calls(node).functions.map((f) => f.toLowerCase())) {
    if (OUTSIDE_TRANSACTION.has(name)) return `${name}() acts outside the transaction: a rollback does not undo it`;
    if (SEQUENCES.has(name)) return `${name}() advances a sequence, which a rollback does not undo`;
  }
  const unread = unreadCall(node, catalogue);
  if (unread) return `it ${unread}: what that runs may not be undone by a rollback`;
  return undefined;
}
