/**
 * Whether a SQL cell's statements can run inside one transaction the engine opens (so the
 * write commits once, under a transaction id on record), and why not when they cannot: the
 * cell manages its own transactions, or a statement refuses to run inside a transaction
 * block. Read from the parse tree, never from the text.
 */
import type { Statement } from './statements.js';
import { kindOf } from './tree-walk.js';

/** Statement kinds PostgreSQL refuses inside a transaction block, by what they are called. */
const OUTSIDE_A_TRANSACTION: Record<string, string> = {
  VacuumStmt: 'VACUUM/ANALYZE',
  CreatedbStmt: 'CREATE DATABASE',
  DropdbStmt: 'DROP DATABASE',
  AlterSystemStmt: 'ALTER SYSTEM',
  CreateTableSpaceStmt: 'CREATE TABLESPACE',
  DropTableSpaceStmt: 'DROP TABLESPACE',
  DiscardStmt: 'DISCARD',
  CreateSubscriptionStmt: 'CREATE SUBSCRIPTION',
  DropSubscriptionStmt: 'DROP SUBSCRIPTION',
};

/** The reason the cell's statements cannot share one engine-opened transaction, or undefined when they can. */
export function ownTransactionReason(statements: readonly Statement[]): string | undefined {
  for (const statement of statements) {
    const reason = reasonOf(statement.node ?? {});
    if (reason) return reason;
  }
  return undefined;
}

function reasonOf(node: Record<string, unknown>): string | undefined {
  const [kind, body] = kindOf(node);
  const fields = (body ?? {}) as Record<string, unknown>;
  if (!kind) return undefined;
  if (kind === 'TransactionStmt') return 'the cell manages its own transactions (BEGIN/COMMIT)';
  if (OUTSIDE_A_TRANSACTION[kind]) return `${OUTSIDE_A_TRANSACTION[kind]} cannot run inside a transaction`;
  if (kind === 'IndexStmt' && fields.concurrent === true) return 'CREATE INDEX CONCURRENTLY cannot run inside a transaction';
  if (kind === 'ReindexStmt' && JSON.stringify(fields.params ?? []).includes('"concurrently"')) return 'REINDEX CONCURRENTLY cannot run inside a transaction';
  // A procedure, or a DO block, may COMMIT on its own: inside a transaction block that is an error.
  if (kind === 'CallStmt') return 'CALL may commit inside the procedure';
  if (kind === 'DoStmt' && /\b(commit|rollback)\b/i.test(JSON.stringify(fields.args ?? []))) return 'the DO block commits or rolls back itself';
  return undefined;
}

const OPENS = new Set(['TRANS_STMT_BEGIN', 'TRANS_STMT_START']);
/** Inside one transaction these keep it one transaction. */
const WITHIN = new Set(['TRANS_STMT_SAVEPOINT', 'TRANS_STMT_RELEASE', 'TRANS_STMT_ROLLBACK_TO']);

/**
 * A cell that is one transaction of its own: BEGIN first, COMMIT last, nothing between that
 * ends it or runs outside it. Its transaction id, read after its BEGIN, then decides its fate
 * on resume as the engine's own would.
 */
export function isOneOwnTransaction(statements: readonly Statement[]): boolean {
  if (statements.length < 2) return false;
  const kind = (statement: Statement | undefined) => {
    const body = (statement?.node ?? {}).TransactionStmt as { kind?: string } | undefined;
    return body ? String(body.kind) : undefined;
  };
  if (!OPENS.has(kind(statements[0]) ?? '') || kind(statements.at(-1)) !== 'TRANS_STMT_COMMIT') return false;
  return statements.slice(1, -1).every((statement) => {
    const inner = kind(statement);
    return inner === undefined ? ownTransactionReason([statement]) === undefined : WITHIN.has(inner);
  });
}
