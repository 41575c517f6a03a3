/**
 * Is a statement a read or a write? Decided from the parse tree, never from keywords:
 * a plain SELECT (WITH … SELECT, SHOW, EXPLAIN of a read, VALUES) that locks nothing,
 * creates nothing and calls no side-effecting function is a read; everything else writes.
 */
import type { Cell } from '../runbook.js';
import type { ParsedStatement } from './pg-parser.js';
import { parseCellSql } from './statements.js';

export type Effect = 'read' | 'write';

/** Functions that change state even when called from a SELECT. One list, kept here. */
const WRITING_FUNCTIONS = new Set([
  'pg_terminate_backend', 'pg_cancel_backend', 'set_config', 'nextval', 'setval',
  'pg_reload_conf', 'pg_rotate_logfile', 'pg_switch_wal', 'pg_switch_xlog', 'txid_current',
  'pg_current_xact_id', 'pg_promote', 'pg_notify', 'pg_logical_emit_message',
  'pg_start_backup', 'pg_stop_backup', 'pg_backup_start', 'pg_backup_stop',
  'pg_replication_slot_advance', 'pg_log_backend_memory_contexts', 'pg_import_system_collations',
  'query_to_xml', 'query_to_xmlschema', 'query_to_xml_and_xmlschema',
]);
const WRITING_PREFIXES = [
  'pg_advisory_', 'pg_try_advisory_', 'lo_', 'dblink', 'pg_create_', 'pg_drop_', 'pg_copy_',
  'pg_stat_reset', 'pg_wal_replay_', 'pg_replication_origin_', 'pg_file_', 'pg_truncate_',
];

/** Statement kinds that never change anything by themselves. */
const NEUTRAL_STATEMENTS = new Set(['VariableShowStmt', 'TransactionStmt']);
/** Node kinds that, anywhere in a tree, make it a write (a data-modifying CTE, say). */
const WRITING_NODES = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

export function isWritingFunction(name: string): boolean {
  const lower = name.toLowerCase();
  return WRITING_FUNCTIONS.has(lower) || WRITING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/** The effect of one parsed statement (`{ SelectStmt: … }` and so on). */
export function classifyStatement(stmt: Record<string, unknown> | ParsedStatement): Effect {
  const node = 'stmt' in stmt && 'start' in stmt ? (stmt as ParsedStatement).stmt : stmt;
  const [kind, body] = Object.entries(node)[0] ?? [];
  if (!kind) return 'read';
  if (NEUTRAL_STATEMENTS.has(kind)) return 'read';
  if (kind === 'ExplainStmt') {
    const query = (body as { query?: Record<string, unknown> }).query;
    return query ? classifyStatement(query) : 'write';
  }
  if (kind !== 'SelectStmt') return 'write';
  return treeWrites(body) ? 'write' : 'read';
}

/** The effect of a piece of SQL: `write` if any statement writes or the SQL does not parse. */
export async function classifySql(sql: string): Promise<Effect> {
  if (sql.trim() === '') return 'read';
  try {
    const statements = await parseCellSql(sql);
    return statements.some((statement) => classifyStatement(statement.stmt) === 'write') ? 'write' : 'read';
  } catch {
    return 'write';
  }
}

/** SQL cells by their statements; shell cells write unless marked `readonly`. */
export async function cellEffect(cell: Pick<Cell, 'lang' | 'source' | 'attributes'>): Promise<Effect> {
  if (cell.lang === 'sql') return classifySql(cell.source);
  return cell.attributes.readonly === true ? 'read' : 'write';
}

/** Walks a SELECT's tree for locking clauses, INTO, data-modifying CTEs and writing calls. */
function treeWrites(root: unknown): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) {
      pending.push(...value);
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    for (const [key, child] of Object.entries(value)) {
      if (key === 'lockingClause' || key === 'intoClause') return true;
      if (WRITING_NODES.has(key)) return true;
      if (key === 'FuncCall' && callsWritingFunction(child)) return true;
      if (child && typeof child === 'object') pending.push(child);
    }
  }
  return false;
}

function callsWritingFunction(call: unknown): boolean {
  const names = (call as { funcname?: { String?: { sval?: string } }[] }).funcname ?? [];
  const last = names[names.length - 1]?.String?.sval;
  return last !== undefined && isWritingFunction(last);
}
