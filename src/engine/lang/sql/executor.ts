/**
 * SQL cells on PostgreSQL through `pg`: one session per run, statements split by the
 * real parser and run one by one (each with its own `sql.result`), notices as output,
 * ON_ERROR_STOP with a rollback of any open transaction, the cell's timeout as
 * `statement_timeout`, read-only cells inside `BEGIN READ ONLY`, write cells inside one
 * transaction whose id is on record before it can commit, and cancel on the server.
 */
import type pg from 'pg';
import { splitStatements, SqlSyntaxError, type Statement } from './statements.js';
import type { CellError } from '../../events.js';
import type { ExecutionContext, ExecutionResult, Executor } from '../executor.js';
import { SqlConnectError, SqlConnection, type Notice } from './connection.js';
import { GuardQueue } from './guard.js';
import { FailedAfterStatement, StatementBatch, type ExtraStatement, type StatementOutcome } from './statement.js';
import { isOneOwnTransaction, ownTransactionReason } from './transaction-scope.js';

export interface SqlExecutorOptions {
  url: string;
  applicationName?: string;
  /** Default 10000. */
  connectTimeoutMs?: number;
  /** After a cancel, how long a statement may take to end before the socket is dropped. Default 5000. */
  cancelGraceMs?: number;
}

class Stop extends Error {
  constructor(readonly result: ExecutionResult) {
    super(result.error?.message ?? result.status);
  }
}

export function createSqlExecutor(options: SqlExecutorOptions): Executor {
  const connection = new SqlConnection({
    url: options.url,
    applicationName: options.applicationName ?? 'runbook',
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
  });
  /** Our own statements around cells, and the session settings they changed. */
  const guard = new GuardQueue();
  /** The client `guard` knows about: a new session starts clean. */
  let session: pg.Client | undefined;
  /** The `runbook.<name>` settings this session holds. */
  const applied = new Map<string, string>();
  return {
    lang: 'sql',
    // A write's sql.transaction is synced before its first statement is sent (recordWrite); nothing of it runs without one.
    recordsWritesFirst: true,
    async run(context) {
      if (context.signal.aborted) return cancelled();
      let statements: Statement[];
      try {
        statements = await splitStatements(context.source);
      } catch (error) {
        return syntaxFailure(error, context);
      }
      let client: pg.Client;
      try {
        const opened = await connection.open(context.signal);
        client = opened.client;
        if (opened.reconnected) notice(context, 'runbook: the earlier session was lost; reconnected (session settings and open transactions from earlier cells are gone)\n');
      } catch (error) {
        if (context.signal.aborted) return cancelled();
        // Connected on demand, cell by cell: a database that does not answer fails only this cell, and one that came back is used by the next.
        if (error instanceof SqlConnectError) return { status: 'failed', error: { message: error.message, code: error.code, unreachable: true } };
        return { status: 'failed', error: { message: error instanceof Error ? error.message : String(error) } };
      }
      if (client !== session) {
        guard.forgetSession();
        applied.clear();
      }
      session = client;
      const refused = await applySettings(client, context.settings ?? {});
      if (refused) return refused;
      return runCell(client, statements, context);
    },
    close: () => connection.close(),
  };

  async function runCell(client: pg.Client, statements: Statement[], context: ExecutionContext): Promise<ExecutionResult> {
    const started = Date.now();
    const deadline = context.timeoutMs ? started + context.timeoutMs : undefined;
    let clientSideTimeout = false;
    let cancelTimer: NodeJS.Timeout | undefined;
    const stopRunning = () => {
      void connection.cancelRunning();
      cancelTimer ??= setTimeout(() => connection.destroy(new Error('the statement did not end after a cancel')), options.cancelGraceMs ?? 5000);
    };
    const onAbort = () => stopRunning();
    context.signal.addEventListener('abort', onAbort, { once: true });
    // A safety net in case the server never honours statement_timeout (a hung network).
    const watchdog = deadline ? setTimeout(() => ((clientSideTimeout = true), stopRunning()), context.timeoutMs! + 2000) : undefined;
    let routeNotices = true;
    /** The statement being answered: it tells its own notices from those of our statements sent with it. */
    let batch: StatementBatch | undefined;
    connection.onNotice = (message) => routeNotices && (batch?.noticesAreTheCells ?? true) && notice(context, formatNotice(message));
    const query = (text: string) => client.query(text);
    /** Our statements go out with the next one, unseen: the epilogue's COMMIT warns "there is no transaction in progress" after a cell that ended its transaction itself. */
    const flushGuard = async () => {
      if (guard.isEmpty) return;
      routeNotices = false;
      await guard.flush(query);
      routeNotices = true;
    };
    let current: Statement | undefined;
    /** Our BEGIN READ ONLY went out with a statement: after an error there, the status pg last heard predates it. */
    let beganReadOnly = false;
    try {
      // Whatever a failed cleanup left behind goes first.
      guard.resets();
      // Inside a transaction an earlier cell opened, a savepoint keeps that transaction's own work.
      const nested = context.readOnly && connection.transactionStatus === 'T';
      const guarded = context.readOnly && statements.length > 0;
      if (guarded) guard.readOnlyPrologue(nested, statements.length === 1);
      beganReadOnly = guarded;
      const engineTransaction = !context.readOnly && statements.length > 0 ? await recordWrite(client, statements, context, flushGuard) : false;
      // Inside a transaction block we opened, our statements ride in the statement's own
      // batch (one round trip). Elsewhere they go on their own: a statement that must run
      // outside a transaction block (VACUUM, CREATE INDEX CONCURRENTLY) refuses to share one.
      const ridesAlong = guarded || engineTransaction;
      // A cell that is one BEGIN … COMMIT of its own: its transaction id goes on record right after its BEGIN.
      const oneOwn = !context.readOnly && !engineTransaction && connection.transactionStatus === 'I' && isOneOwnTransaction(statements);
      for (const [index, statement] of statements.entries()) {
        if (context.signal.aborted) throw new Stop(cancelled());
        current = statement;
        if (deadline) {
          const remaining = deadline - Date.now();
          if (remaining <= 0) throw new Stop(timedOut(context.timeoutMs!));
          guard.timeout(remaining);
        }
        // Before the statement's text reaches the server, whatever the session was left with.
        for (const fix of connection.lexingFixes()) {
          guard.readAs(fix.sql);
          notice(context, `runbook: ${fix.setting} was ${fix.was}; set to ${fix.sql.replace(/^SET \w+ = /, '')} for this session, so the server reads each statement as runbook read it\n`);
        }
        if (!ridesAlong) await flushGuard();
        const before = ridesAlong ? guard.take() : undefined;
        let after: ReturnType<GuardQueue['take']> | undefined;
        if (guarded && index === statements.length - 1) {
          // After the last statement, only if it succeeded (the server skips the rest of a batch after an error).
          guard.readOnlyEpilogue(nested);
          guard.resets();
          after = guard.take();
        }
        // (A write's COMMIT never rides along: it goes out once the statement's result is
        // back, so a CLI killed while the statement runs leaves it to be rolled back.)
        batch = new StatementBatch(statement.text, context.maxRows, { before: quiet(before?.statements), after: quiet(after?.statements) });
        let outcome;
        try {
          outcome = await batch.run(client);
        } catch (error) {
          if (!(error instanceof FailedAfterStatement)) throw error;
          // The statement ran; what failed was the read-only guard after it.
          emitResult(context, statement, index, error.outcome);
          current = undefined;
          throw error.cause;
        } finally {
          batch = undefined;
        }
        before?.settle(true);
        after?.settle(true);
        emitResult(context, statement, index, outcome);
        if (oneOwn && index === 0) await recordOwnTransaction(client, context);
      }
      current = undefined;
      if (engineTransaction) {
        await flushGuard();
        await client.query('COMMIT');
      }
      guard.resets();
      if (!guard.isEmpty) await flushGuard();
      return { status: 'succeeded' };
    } catch (error) {
      routeNotices = false;
      // A FATAL error is the server ending the session; the socket closes a moment later.
      // Marked lost now, so the next cell reconnects instead of racing that close.
      const severity = (error as { severity?: string }).severity;
      if (severity === 'FATAL' || severity === 'PANIC') connection.destroy(error as Error);
      const result = classify(error, current, context, clientSideTimeout);
      await cleanUpAfterError(query, beganReadOnly);
      return result;
    } finally {
      connection.onNotice = undefined;
      context.signal.removeEventListener('abort', onAbort);
      clearTimeout(watchdog);
      clearTimeout(cancelTimer);
    }
  }

  /**
   * A write's identity on record before its first statement: the backend, and when the
   * cell leaves transactions to the engine, the id of the one transaction it runs in (opened
   * here, committed after its last statement). `runbook resume` asks the server about it.
   * The event is synced to disk as it is written; a transcript that could not take it
   * aborts the run, and then nothing runs. Resolves to whether the engine opened the transaction.
   */
  async function recordWrite(client: pg.Client, statements: Statement[], context: ExecutionContext, flushGuard: () => Promise<void>): Promise<boolean> {
    const own = ownTransactionReason(statements) ?? (connection.transactionStatus !== 'I' ? 'it runs inside a transaction an earlier cell left open' : undefined);
    await flushGuard();
    // The engine's own transaction is opened here, so its id is read in the same round trip.
    const row = await transactionIdentity(client, own === undefined ? 'BEGIN; ' : undefined);
    if (!row) throw new Error('could not read this session from pg_stat_activity, so the write could not be put on record; nothing ran');
    emitTransaction(context, row, own);
    if (context.signal.aborted) throw new Stop(cancelled());
    return own === undefined;
  }

  /** The id of the cell's own transaction, after its BEGIN: the same record, now with the id resume asks about. */
  async function recordOwnTransaction(client: pg.Client, context: ExecutionContext): Promise<void> {
    const row = await transactionIdentity(client, '');
    if (row) emitTransaction(context, row, 'the cell is one BEGIN … COMMIT of its own');
    if (context.signal.aborted) throw new Stop(cancelled());
  }

  /**
   * Values as session settings, so a DO block or function body reads them with
   * current_setting('runbook.<name>') instead of text pasted into code. Bound parameters:
   * the value never meets the parser. Inside a transaction a rollback would undo them, so
   * there they are set again before every cell.
   */
  async function applySettings(client: pg.Client, settings: Record<string, string>): Promise<ExecutionResult | undefined> {
    const inTransaction = connection.transactionStatus !== 'I';
    const changed = Object.entries(settings).filter(([name, value]) => inTransaction || applied.get(name) !== value);
    if (changed.length === 0) return undefined;
    const calls = changed.map((_, i) => `pg_catalog.set_config($${2 * i + 1}, $${2 * i + 2}, false)`);
    try {
      await client.query({ text: `SELECT ${calls.join(', ')}`, values: changed.flat() });
    } catch (error) {
      return { status: 'failed', error: { message: `could not set the runbook.* session settings: ${(error as Error).message}` } };
    }
    for (const [name, value] of changed) applied.set(name, value);
    return undefined;
  }

  /**
   * ON_ERROR_STOP: roll back whatever is open so the next cell never sees an aborted transaction.
   * pg reports an error before the server's ReadyForQuery, so the status here is the one from
   * before the failed batch: `mayBeInTransaction` when that batch could have opened one.
   */
  async function cleanUpAfterError(query: (text: string) => Promise<unknown>, mayBeInTransaction: boolean): Promise<void> {
    guard.discardPending();
    if (connection.lostReason) return;
    const status = connection.transactionStatus;
    if (mayBeInTransaction || status === undefined || status === 'T' || status === 'E') guard.rollback();
    guard.resets();
    try {
      await guard.flush(query);
    } catch {
      // Still marked as changed: the next cell resets them first.
    }
  }

  function classify(error: unknown, statement: Statement | undefined, context: ExecutionContext, clientSideTimeout: boolean): ExecutionResult {
    if (error instanceof Stop) return error.result;
    if (context.signal.aborted) return cancelled();
    const lost = connection.lostReason;
    if (clientSideTimeout) return timedOut(context.timeoutMs ?? 0);
    if (lost) {
      return { status: 'failed', error: { message: `lost the connection to ${connection.maskedUrl}: ${lost.message}`, code: '08006', ...lineOf(statement, context) } };
    }
    const db = error as pg.DatabaseError;
    if (db?.code === '57014' && /statement timeout/i.test(db.message)) return timedOut(context.timeoutMs ?? 0);
    const failure: CellError = { message: db?.message ?? String(error) };
    if (typeof db?.code === 'string') failure.code = db.code;
    if (db?.detail) failure.detail = db.detail;
    if (db?.hint) failure.hint = db.hint;
    Object.assign(failure, lineOf(statement, context, db?.position ? Number(db.position) : undefined));
    return { status: 'failed', error: failure };
  }
}

/** The document line of a statement, or of the character the server pointed at (1-based). */
function lineOf(statement: Statement | undefined, context: ExecutionContext, position?: number): { line?: number } {
  if (!statement) return {};
  const before = position ? statement.text.slice(0, position - 1) : '';
  const extra = before.split('\n').length - 1;
  return { line: context.cell.sourceLine + statement.line - 1 + extra };
}

function syntaxFailure(error: unknown, context: ExecutionContext): ExecutionResult {
  if (error instanceof SqlSyntaxError) {
    return { status: 'failed', error: { message: error.message, code: '42601', line: context.cell.sourceLine + error.line - 1 } };
  }
  return { status: 'failed', error: { message: `could not split the cell into statements: ${error instanceof Error ? error.message : String(error)}` } };
}

function emitResult(context: ExecutionContext, statement: Statement, index: number, outcome: StatementOutcome): void {
  context.emit({
    type: 'sql.result',
    cell: context.cell.id,
    index: index + 1,
    statement: statement.text,
    ...(statement.title ? { title: statement.title } : {}),
    ...outcome,
  });
}

/** Our own statements, whose notices are not the cell's. */
function quiet(statements: readonly string[] = []): ExtraStatement[] {
  return statements.map((sql) => ({ sql, quiet: true }));
}

function notice(context: ExecutionContext, data: string): void {
  context.emit({ type: 'cell.output', cell: context.cell.id, stream: 'notice', data });
}

/** psql's layout: `NOTICE:  text`, then DETAIL and HINT lines. */
function formatNotice(message: Notice): string {
  let text = `${message.severity ?? 'NOTICE'}:  ${message.message ?? ''}\n`;
  if (message.detail) text += `DETAIL:  ${message.detail}\n`;
  if (message.hint) text += `HINT:  ${message.hint}\n`;
  return text;
}

function cancelled(): ExecutionResult {
  return { status: 'cancelled', error: { message: 'cancelled; the running statement was cancelled on the server', code: 'ECANCELED' } };
}

function timedOut(timeoutMs: number): ExecutionResult {
  const limit = timeoutMs % 1000 === 0 ? `${timeoutMs / 1000}s` : `${timeoutMs}ms`;
  return { status: 'timed-out', error: { message: `timed out after ${limit} (statement_timeout); the statement was cancelled`, code: '57014' } };
}

interface TransactionIdentity {
  xid?: string;
  pid: number;
  started: string;
}

/**
 * The backend each client was last seen on. Reading pg_stat_activity costs the server
 * ~0.4 ms (the view reads every backend's entry and joins the catalogue), more than the
 * rest of a single-row write; the start of a backend never changes, so a later write asks
 * only for `pg_backend_pid()`, and only a different pid (a pooler that moved the
 * connection) makes it read the view again.
 */
const backends = new WeakMap<pg.Client, { pid: number; started: string }>();

/**
 * This session's backend (pid, start) and, with `xidAfter` (the text to send first, '' when a
 * transaction is already open), the id of the transaction it is in: what a `sql.transaction`
 * record holds and `runbook resume` asks the server about.
 */
async function transactionIdentity(client: pg.Client, xidAfter: string | undefined): Promise<TransactionIdentity | undefined> {
  const xid = xidAfter === undefined ? '' : 'pg_current_xact_id()::text AS xid, ';
  const last = (results: pg.QueryResult | pg.QueryResult[]) => (Array.isArray(results) ? results.at(-1)! : results).rows[0] as TransactionIdentity | undefined;
  const known = backends.get(client);
  if (known) {
    const row = last(await client.query(`${xidAfter ?? ''}SELECT ${xid}pg_backend_pid() AS pid`));
    if (row?.pid === known.pid) return { ...row, started: known.started };
  }
  // The first write of this session, or another backend: `xidAfter` went out already if it was asked above (the same transaction, the same xid).
  const head = known ? '' : (xidAfter ?? '');
  const row = last(await client.query(`${head}SELECT ${xid}pid, to_json(backend_start) #>> '{}' AS started FROM pg_stat_activity WHERE pid = pg_backend_pid()`));
  if (row) backends.set(client, { pid: row.pid, started: row.started });
  return row;
}

/** The `sql.transaction` record of one attempt: synced to disk as it is written (see recordWrite). */
function emitTransaction(context: ExecutionContext, row: TransactionIdentity, own: string | undefined): void {
  context.emit({
    type: 'sql.transaction',
    cell: context.cell.id,
    attempt: context.attempt ?? 1,
    pid: row.pid,
    backendStart: row.started,
    ...(row.xid ? { xid: row.xid } : {}),
    ...(own ? { own } : {}),
  });
}
