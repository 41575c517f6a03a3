/**
 * Is a statement a read or a write? The one place that decides, from the real parse tree
 * and the target's own catalogue, never from keywords. A statement is a read only when:
 * - it is a SELECT (WITH … SELECT, VALUES, UNION…), a SHOW, or an EXPLAIN without ANALYZE
 *   (EXPLAIN ANALYZE runs its statement, so that statement decides);
 * - it has no locking clause (FOR UPDATE/SHARE), no INTO, no data-modifying WITH;
 * - every function and operator it calls is IMMUTABLE or STABLE in the target's
 *   `pg_proc.provolatile` (or one of the few volatile functions below that only read), and
 *   none acts outside the transaction (pg_terminate_backend, set_config, pg_advisory_lock…);
 * - what runs inside the names it uses reads too, judged from the target's definitions
 *   (catalogue.ts): a SQL function's body, an aggregate's transition and final functions
 *   (its own provolatile is 'i' whatever they do), a view's query, a table's row-security
 *   policies, each in turn, to a bounded depth; what cannot be judged is a write.
 * Transaction control (BEGIN, COMMIT, SET TRANSACTION…), session control (SET, RESET,
 * DISCARD, LISTEN, PREPARE…) and everything else are writes. A function the catalogue does
 * not know, or that is VOLATILE, makes a write and is named in the reason. Without a
 * database (lint, list), PostgreSQL's built-in catalogue (builtin-functions.ts) stands in,
 * and any other function counts as a write.
 */
import type { ParsedStatement } from './pg-parser.js';
import { parseCellSql } from './statements.js';
import { BUILTIN_READ_FUNCTIONS, BUILTIN_READ_OPERATORS } from './builtin-functions.js';
import { calls, type Calls } from './calls.js';
import { OUTSIDE_TRANSACTION } from './readonly.js';
import { kindOf } from './tree-walk.js';

export type Effect = 'read' | 'write';

export interface EffectReason {
  effect: Effect;
  /** Why, in a few words: "calls pg_terminate_backend (VOLATILE)", "transaction control". */
  reason: string;
}

/** `pg_proc.provolatile`: i(mmutable), s(table), v(olatile). */
export type Volatility = 'i' | 's' | 'v';

/**
 * What the target's catalogue says about the names a run calls (see catalogue.ts): the
 * most volatile overload of each, in any schema. A name absent from a map does not exist there.
 */
export interface Catalogue {
  functions: ReadonlyMap<string, Volatility>;
  operators: ReadonlyMap<string, Volatility>;
  /**
   * What runs when a name is called (`function:<name>`, `operator:<name>`) or read
   * (`relation:<name>`), for every object of that name outside pg_catalog that has more
   * than its volatility to judge.
   */
  definitions?: ReadonlyMap<string, readonly Definition[]>;
}

/** One object's definition, as the target holds it. */
export interface Definition {
  /** "view public.active_sessions", "aggregate public.total(integer)". */
  what: string;
  /** Parsed statements that run inside it (a SQL function body, a view's query, a policy as `SELECT … WHERE <qual>`). */
  statements?: Record<string, unknown>[];
  /** Functions it runs besides (an aggregate's transition, final, combine… functions). */
  calls?: string[];
  /** Why it cannot be judged (a PL/pgSQL body, deeper than the bound): a read of it is a write. */
  opaque?: string;
}

/** How deep definitions are followed (a view of a view of a function…) before the answer is "write". */
export const DEFINITION_DEPTH = 8;

/**
 * Never reads, whatever the catalogue says: they signal or end other sessions, change the
 * server's configuration, files or WAL, take locks that outlive the statement, set session
 * state, or open another connection (readonly.ts refuses the same ones in a `readonly` cell).
 */
function actsOutsideTheTransaction(name: string): boolean {
  return OUTSIDE_TRANSACTION.has(name) || name === 'set_config' || /^(pg_advisory|pg_try_advisory|lo_|dblink|pg_stat_reset|pg_replication_|pg_file_|pg_wal_|pg_backup_|pg_create_|pg_drop_|pg_copy_)/.test(name);
}

/**
 * VOLATILE only because their result changes from call to call or they read live state;
 * they neither write nor run a query string. Anything else volatile is a write.
 */
const VOLATILE_READS = new Set([
  'random', 'random_normal', 'array_sample', 'array_shuffle', 'gen_random_uuid', // a new value each call
  'clock_timestamp', 'timeofday', 'pg_sleep', 'pg_sleep_for', 'pg_sleep_until', // the clock
  'currval', 'lastval', 'pg_sequence_last_value', 'current_query', // this session's own state
  'pg_relation_size', 'pg_total_relation_size', 'pg_table_size', 'pg_indexes_size', // sizes on disk
  'pg_database_size', 'pg_tablespace_size',
  'pg_blocking_pids', 'pg_safe_snapshot_blocking_pids', 'pg_lock_status', 'pg_is_in_recovery', // live server state
  'pg_current_wal_lsn', 'pg_current_wal_insert_lsn', 'pg_current_wal_flush_lsn', 'pg_last_wal_receive_lsn',
  'pg_last_wal_replay_lsn', 'pg_last_xact_replay_timestamp', 'pg_xact_status', 'txid_status',
]);

const VOLATILITY_WORD: Record<Volatility, string> = { i: 'IMMUTABLE', s: 'STABLE', v: 'VOLATILE' };

/** A statement kind (other than SELECT/SHOW/EXPLAIN), in words, for the reason. */
const WRITE_KINDS: Record<string, string> = {
  TransactionStmt: 'transaction control (BEGIN, COMMIT, ROLLBACK…)',
  VariableSetStmt: 'session control (SET)',
  DiscardStmt: 'session control (DISCARD)',
  ListenStmt: 'session control (LISTEN)',
  UnlistenStmt: 'session control (UNLISTEN)',
  NotifyStmt: 'NOTIFY',
  PrepareStmt: 'session control (PREPARE)',
  ExecuteStmt: 'EXECUTE of a prepared statement',
  DeallocateStmt: 'session control (DEALLOCATE)',
  DeclareCursorStmt: 'a cursor (DECLARE)',
  FetchStmt: 'a cursor (FETCH)',
  ClosePortalStmt: 'a cursor (CLOSE)',
  LoadStmt: 'LOAD',
  DoStmt: 'a DO block',
  CallStmt: 'CALL of a procedure',
  CopyStmt: 'COPY',
};

/** The effect of one parsed statement (`{ SelectStmt: … }` and so on), with its reason. */
export function explainStatement(stmt: Record<string, unknown> | ParsedStatement, catalogue?: Catalogue): EffectReason {
  return judge('stmt' in stmt && 'start' in stmt ? (stmt as ParsedStatement).stmt : stmt, catalogue, new Set(), 0);
}

/** `trail`: the definitions being judged around this statement (a cycle adds nothing); `depth`: how many. */
function judge(node: Record<string, unknown>, catalogue: Catalogue | undefined, trail: Set<string>, depth: number): EffectReason {
  const [kind, body] = kindOf(node);
  if (!kind) return { effect: 'read', reason: 'an empty statement' };
  if (kind === 'VariableShowStmt') return { effect: 'read', reason: 'SHOW' };
  if (kind === 'ExplainStmt') {
    const { query, options } = body as { query?: Record<string, unknown>; options?: unknown[] };
    if (!query) return { effect: 'write', reason: 'EXPLAIN of nothing known' };
    if (!analyzes(options)) return { effect: 'read', reason: 'EXPLAIN without ANALYZE runs nothing' };
    const inner = judge(query, catalogue, trail, depth);
    return { effect: inner.effect, reason: `EXPLAIN ANALYZE runs it: ${inner.reason}` };
  }
  if (kind !== 'SelectStmt') return { effect: 'write', reason: WRITE_KINDS[kind] ?? `a ${kind.replace(/Stmt$/, '')} statement` };
  const found = calls(body);
  if (found.into) return { effect: 'write', reason: 'SELECT … INTO creates a table' };
  if (found.locking) return { effect: 'write', reason: 'a locking clause (FOR UPDATE/SHARE)' };
  if (found.modifying) return { effect: 'write', reason: 'a data-modifying WITH (INSERT/UPDATE/DELETE/MERGE)' };
  const writer = firstWriter(found, catalogue, trail, depth);
  return writer ? { effect: 'write', reason: writer } : { effect: 'read', reason: 'a SELECT that calls only IMMUTABLE or STABLE functions' };
}

/** The effect of a piece of SQL, with the reason of its first writing statement. A syntax error is a write. */
export async function explainSql(sql: string, catalogue?: Catalogue): Promise<EffectReason> {
  if (sql.trim() === '') return { effect: 'read', reason: 'no statements' };
  let statements: readonly ParsedStatement[];
  try {
    statements = await parseCellSql(sql);
  } catch {
    return { effect: 'write', reason: 'the SQL does not parse' };
  }
  // Only comments, or only `;`: nothing runs (the executor sends nothing).
  if (statements.length === 0) return { effect: 'read', reason: 'no statements' };
  let verdict: EffectReason | undefined;
  for (const statement of statements) {
    verdict = explainStatement(statement.stmt, catalogue);
    if (verdict.effect === 'write') return verdict;
  }
  // One statement's own reason (judged once: the plan judges every cell twice, by the built-in catalogue and the target's).
  return statements.length > 1 ? { effect: 'read', reason: 'every statement reads' } : verdict!;
}

/**
 * What a READ ONLY transaction would not stop in `sql`: the first SELECT (or EXPLAIN ANALYZE
 * of one) that calls a function or reads a view, aggregate or policy which is not a read,
 * since such a call runs before any table write is refused (pg_terminate_backend through a
 * view ends sessions inside `BEGIN READ ONLY`). Other statements' writes fail there at
 * their start. Undefined when nothing escapes, or when the SQL does not parse.
 */
export async function escapesReadOnly(sql: string, catalogue: Catalogue): Promise<string | undefined> {
  let statements: readonly ParsedStatement[];
  try {
    statements = await parseCellSql(sql);
  } catch {
    return undefined;
  }
  for (const { stmt } of statements) {
    let node: Record<string, unknown> | undefined = stmt;
    while (node?.ExplainStmt) node = (node.ExplainStmt as { query?: Record<string, unknown> }).query;
    if (!node?.SelectStmt) continue;
    const writer = unreadCall(node.SelectStmt, catalogue);
    if (writer) return writer;
  }
  return undefined;
}

/**
 * The first function, operator, view, aggregate or policy in a parse tree that is not a
 * read (by the target's catalogue, else the built-in one), in words; undefined when all
 * read. What runs there may act outside the transaction, so neither READ ONLY nor a
 * rollback (a rehearsal) contains it.
 */
export function unreadCall(node: unknown, catalogue: Catalogue | undefined): string | undefined {
  return firstWriter(calls(node), catalogue, new Set(), 0);
}

/** The effect of a piece of SQL: `write` if any statement writes or the SQL does not parse. */
export async function classifySql(sql: string, catalogue?: Catalogue): Promise<Effect> {
  return (await explainSql(sql, catalogue)).effect;
}

/** Every function, operator and relation name the statements of `sql` use, for one catalogue lookup. */
export async function calledNames(sql: string): Promise<{ functions: string[]; operators: string[]; relations: string[] }> {
  const functions = new Set<string>();
  const operators = new Set<string>();
  const relations = new Set<string>();
  try {
    for (const statement of await parseCellSql(sql)) {
      const found = calls(statement.stmt);
      for (const name of found.functions) functions.add(name);
      for (const name of found.operators) operators.add(name);
      for (const name of found.relations) relations.add(name);
    }
  } catch {
    // Unparseable SQL is a write whatever it calls.
  }
  return { functions: [...functions], operators: [...operators], relations: [...relations] };
}

/** The first call that makes the statement a write, as the reason; undefined when all read. */
function firstWriter(found: Pick<Calls, 'functions' | 'operators' | 'relations'>, catalogue: Catalogue | undefined, trail: Set<string>, depth: number): string | undefined {
  for (const name of found.functions) {
    if (actsOutsideTheTransaction(name)) return `calls ${name}(), which acts outside the transaction`;
    if (!VOLATILE_READS.has(name)) {
      const volatility = catalogue ? catalogue.functions.get(name) : BUILTIN_READ_FUNCTIONS.has(name) ? 's' : undefined;
      if (volatility === undefined) return `calls ${name}(), which ${catalogue ? 'the target does not know' : 'is not a built-in read-only function'}`;
      if (volatility === 'v') return `calls ${name}() (${VOLATILITY_WORD.v})`;
    }
    // A volatile read by its name is the built-in one only if nothing else has that name.
    const inside = definitionWriter(`function:${name}`, catalogue, trail, depth);
    if (inside) return `calls ${name}(): ${inside}`;
  }
  for (const name of found.operators) {
    const volatility = catalogue ? catalogue.operators.get(name) : BUILTIN_READ_OPERATORS.has(name) ? 's' : undefined;
    if (volatility === undefined) return `uses the operator ${name}, which ${catalogue ? 'the target does not know' : 'is not a built-in read-only operator'}`;
    if (volatility === 'v') return `uses the operator ${name} (${VOLATILITY_WORD.v})`;
    const inside = definitionWriter(`operator:${name}`, catalogue, trail, depth);
    if (inside) return `uses the operator ${name}: ${inside}`;
  }
  for (const name of found.relations) {
    const inside = definitionWriter(`relation:${name}`, catalogue, trail, depth);
    if (inside) return `reads ${name}: ${inside}`;
  }
  return undefined;
}

/** What makes the definitions under `key` a write, in words; undefined when each reads (or is already being judged). */
function definitionWriter(key: string, catalogue: Catalogue | undefined, trail: Set<string>, depth: number): string | undefined {
  const definitions = catalogue?.definitions?.get(key);
  if (!definitions || trail.has(key)) return undefined;
  if (depth >= DEFINITION_DEPTH) return `its definitions nest deeper than ${DEFINITION_DEPTH} levels`;
  const inner = new Set(trail).add(key);
  for (const definition of definitions) {
    if (definition.opaque) return `${definition.what} ${definition.opaque}`;
    const writer = firstWriter({ functions: definition.calls ?? [], operators: [], relations: [] }, catalogue, inner, depth + 1);
    if (writer) return `${definition.what} ${writer}`;
    for (const statement of definition.statements ?? []) {
      const verdict = judge(statement, catalogue, inner, depth + 1);
      if (verdict.effect === 'write') return `${definition.what}: ${verdict.reason}`;
    }
  }
  return undefined;
}

function analyzes(options: unknown[] | undefined): boolean {
  return (options ?? []).some((option) => {
    const def = (option as { DefElem?: { defname?: string; arg?: unknown } }).DefElem;
    if (def?.defname !== 'analyze') return false;
    const arg = def.arg as { Boolean?: { boolval?: boolean }; String?: { sval?: string } } | undefined;
    if (!arg) return true;
    if (arg.Boolean) return arg.Boolean.boolval === true;
    return !/^(false|off|0|no)$/i.test(arg.String?.sval ?? '');
  });
}
