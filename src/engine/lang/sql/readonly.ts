/**
 * What a `readonly` SQL cell may not contain. Such a cell runs inside `BEGIN READ ONLY`
 * (sql/guard.ts), which stops writes to tables and nothing else: a COMMIT ends it and the
 * rest of the cell runs read-write; `SET transaction_read_only = off` as the first statement
 * lifts it; `set_config('default_transaction_read_only', 'off', false)` outlives it;
 * `pg_terminate_backend()` and `COPY … TO PROGRAM` act outside any transaction. The
 * attribute may make a cell stricter, never looser, so each of these is refused before the
 * run (the plan marks the cell, preflight refuses, lint reports), judged from the real
 * parse tree. Measured against PostgreSQL 17 inside `BEGIN READ ONLY`: all of the above,
 * `CHECKPOINT`, `LOAD`, `NOTIFY`, `pg_reload_conf()` and `pg_switch_wal()` are allowed there.
 */
import { PLACEHOLDER_NAME } from '../../placeholders/names.js';
import { parseCellSql, positionAt } from './statements.js';
import { findInTree, kindOf } from './tree-walk.js';

export interface ReadonlyBreach {
  /** 1-based statement number in the cell. */
  statement: number;
  /** 1-based line of the statement in the cell. */
  line: number;
  /** What it does, in words: "COMMIT ends the READ ONLY transaction". */
  what: string;
}

/** Settings that decide whether the transaction, or the next one, is read-only. */
const READ_ONLY_SETTINGS = new Set(['transaction_read_only', 'default_transaction_read_only']);
const HAS_PLACEHOLDER = new RegExp(`<${PLACEHOLDER_NAME}>`);

/**
 * Built-in functions a READ ONLY transaction does not stop: they signal other sessions,
 * touch the server's files or configuration, or open another connection. Never reads either
 * (effects.ts counts every VOLATILE call a write); here they are what `readonly` refuses.
 */
export const OUTSIDE_TRANSACTION = new Set([
  'pg_terminate_backend', 'pg_cancel_backend', 'pg_reload_conf', 'pg_rotate_logfile', 'pg_promote',
  'pg_switch_wal', 'pg_create_restore_point', 'pg_log_backend_memory_contexts', 'pg_backup_start', 'pg_backup_stop',
  'pg_wal_replay_pause', 'pg_wal_replay_resume', 'pg_notify', 'pg_stat_reset', 'pg_stat_reset_shared',
  'pg_stat_reset_single_table_counters', 'pg_stat_reset_single_function_counters', 'pg_stat_reset_slru',
  'pg_stat_reset_replication_slot', 'pg_stat_reset_subscription_stats', 'pg_create_physical_replication_slot',
  'pg_create_logical_replication_slot', 'pg_drop_replication_slot', 'pg_copy_physical_replication_slot',
  'pg_copy_logical_replication_slot', 'pg_replication_slot_advance', 'pg_replication_origin_create',
  'pg_replication_origin_drop', 'pg_replication_origin_advance', 'pg_replication_origin_session_setup',
  'lo_export', 'lo_import', 'pg_file_write', 'pg_file_rename', 'pg_file_unlink', 'pg_file_sync',
  'dblink', 'dblink_exec', 'dblink_connect', 'dblink_connect_u', 'dblink_open', 'dblink_send_query',
  'dblink_fetch', 'dblink_close',
]);

const TRANSACTION_WORDS: Record<string, string> = {
  TRANS_STMT_BEGIN: 'BEGIN', TRANS_STMT_START: 'START TRANSACTION', TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK', TRANS_STMT_SAVEPOINT: 'SAVEPOINT', TRANS_STMT_RELEASE: 'RELEASE',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK TO', TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED', TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

/** The first statement of a `readonly` cell that could leave or outlive its READ ONLY transaction; undefined when none. */
export async function readonlyBreach(sql: string): Promise<ReadonlyBreach | undefined> {
  if (sql.trim() === '') return undefined;
  let statements;
  try {
    statements = await parseCellSql(sql);
  } catch {
    // SQL that does not parse fails on the server before anything runs; lint reports it.
    return undefined;
  }
  for (const [index, statement] of statements.entries()) {
    const what = breachOf(statement.stmt);
    if (what) return { statement: index + 1, line: positionAt(sql, statement.start + leadingBlank(sql.slice(statement.start))).line, what };
  }
  return undefined;
}

/** One line: what, where, and what to do. */
export function readonlyMessage(breach: ReadonlyBreach): string {
  return `statement ${breach.statement} (line ${breach.line} of the cell): ${breach.what}; a readonly cell runs inside one READ ONLY transaction and may not leave it: remove the statement, or drop readonly so the cell is judged (and confirmed) as the write it is`;
}

function breachOf(node: Record<string, unknown>): string | undefined {
  const [kind, body] = kindOf(node);
  const stmt = (body ?? {}) as Record<string, unknown>;
  switch (kind) {
    case 'TransactionStmt':
      return `${TRANSACTION_WORDS[String(stmt.kind)] ?? 'transaction control'} is transaction control`;
    case 'VariableSetStmt': {
      const name = String(stmt.name ?? '').toLowerCase();
      if (stmt.kind === 'VAR_RESET_ALL') return 'RESET ALL resets transaction_read_only with every other setting';
      if (stmt.kind === 'VAR_SET_MULTI') return `SET ${String(stmt.name)} is transaction control`;
      if (READ_ONLY_SETTINGS.has(name)) return `SET ${name} changes whether the transaction is read-only`;
      break;
    }
    case 'DiscardStmt':
      return 'DISCARD is session control';
    case 'DoStmt':
      return 'a DO block runs code that cannot be judged before it runs';
    case 'CallStmt':
      return 'CALL runs a procedure that cannot be judged before it runs';
    case 'CheckPointStmt':
      return 'CHECKPOINT acts on the server outside the transaction';
    case 'LoadStmt':
      return 'LOAD loads code into the server process';
    case 'NotifyStmt':
      return 'NOTIFY signals other sessions';
    case 'CopyStmt':
      if (stmt.is_program === true) return 'COPY … PROGRAM runs a program on the server';
      if (typeof stmt.filename === 'string') return 'COPY … to or from a server file';
      break;
  }
  return callBreach(node);
}

/** A call anywhere in the statement that a READ ONLY transaction does not stop. */
function callBreach(root: unknown): string | undefined {
  return findInTree(root, (key, child) => {
    if (key !== 'FuncCall') return undefined;
    const call = child as { funcname?: { String?: { sval?: string } }[]; args?: unknown[] };
    const name = call.funcname?.at(-1)?.String?.sval?.toLowerCase() ?? '';
    if (OUTSIDE_TRANSACTION.has(name)) return `${name}() acts outside the transaction, which READ ONLY does not stop`;
    if (name !== 'set_config') return undefined;
    const setting = constantText(call.args?.[0]);
    if (setting === undefined || HAS_PLACEHOLDER.test(setting)) return 'set_config() with a setting name only known when it runs';
    if (READ_ONLY_SETTINGS.has(setting.toLowerCase().trim())) return `set_config('${setting}', …) changes whether the transaction is read-only`;
    return undefined;
  });
}

/** The text of a string constant (`'x'`, `'x'::text`), or undefined for anything computed. */
function constantText(node: unknown): string | undefined {
  const value = node as { A_Const?: { sval?: { sval?: string } }; TypeCast?: { arg?: unknown } } | undefined;
  if (value?.TypeCast) return constantText(value.TypeCast.arg);
  const text = value?.A_Const?.sval?.sval;
  return typeof text === 'string' ? text : undefined;
}

/** Blanks and comments before a statement's first token (statement ranges start after the previous `;`). */
function leadingBlank(text: string): number {
  const match = /^(?:\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/.exec(text);
  return match ? match[0].length : 0;
}
