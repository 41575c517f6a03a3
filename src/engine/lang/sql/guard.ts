/**
 * The statements the SQL executor sends around a cell: the read-only guard, the cell's
 * statement_timeout, and putting the session back afterwards. They wait in a queue and go
 * to the server with the cell's statement, in the same extended-protocol batch
 * (statement.ts: one round trip for a read-only cell of one statement), or, where they
 * cannot ride along, with the next flush as ONE simple query (statements joined by `;`).
 * The queue also knows which session settings are changed and not reset yet.
 */

/** Session settings the executor changes; reset after the cell, or before the next one if that failed. */
export type GuardedSetting = 'statement_timeout' | 'default_transaction_read_only';

interface GuardStatement {
  sql: string;
  sets?: GuardedSetting;
  resets?: GuardedSetting;
}

/** The savepoint a read-only cell runs under inside a transaction an earlier cell left open. */
const SAVEPOINT = 'runbook_read_only';

export class GuardQueue {
  /** Changed on the server and not reset (as far as anything we sent tells). */
  private readonly dirty = new Set<GuardedSetting>();
  private pending: GuardStatement[] = [];

  /** A new session starts with the server's defaults. */
  forgetSession(): void {
    this.dirty.clear();
    this.pending = [];
  }

  get isEmpty(): boolean {
    return this.pending.length === 0;
  }

  /**
   * Before a read-only cell. Outside a transaction, `default_transaction_read_only` is set
   * in a transaction of its own and committed, so a ROLLBACK in the cell cannot undo it
   * (later transactions of the cell stay read-only too), and then `BEGIN READ ONLY`. That
   * transaction is opened with BEGIN: a COMMIT of the implicit one makes the server warn
   * "there is no transaction in progress", and it sends every warning at once, in a packet
   * of its own (a second wake-up of this process per cell). Inside an open transaction
   * (`nested`), a savepoint keeps that transaction's own work and `SET LOCAL` makes the rest
   * of it read-only.
   *
   * A cell of `one` statement outside a transaction needs only `BEGIN READ ONLY`: the
   * default protects what runs after the cell ends its transaction, and after its one
   * statement (which cannot end it: a function cannot COMMIT, and transaction control is a
   * write) nothing of the cell runs. Four statements fewer for the server, every read cell.
   */
  readOnlyPrologue(nested: boolean, one = false): void {
    if (one && !nested) {
      this.pending.push({ sql: 'BEGIN READ ONLY' });
      return;
    }
    if (!nested) this.pending.push({ sql: 'BEGIN' });
    this.pending.push({ sql: 'SET default_transaction_read_only = on', sets: 'default_transaction_read_only' });
    if (nested) this.pending.push({ sql: `SAVEPOINT ${SAVEPOINT}` }, { sql: 'SET LOCAL transaction_read_only = on' });
    else this.pending.push({ sql: 'COMMIT' }, { sql: 'BEGIN READ ONLY' });
  }

  /**
   * After a read-only cell's last statement (it goes out with it, so it runs only if that
   * statement succeeded): a nested one changed nothing worth keeping (the rollback also
   * lifts transaction_read_only); an outer one commits its READ ONLY transaction. Should
   * the cell have ended that transaction itself, this COMMIT only warns "there is no
   * transaction in progress", which the caller does not show.
   */
  readOnlyEpilogue(nested: boolean): void {
    if (nested) this.pending.push({ sql: `ROLLBACK TO SAVEPOINT ${SAVEPOINT}` }, { sql: `RELEASE SAVEPOINT ${SAVEPOINT}` });
    else this.pending.push({ sql: 'COMMIT' });
  }

  /** `statement_timeout` for what is left of the cell's time (at least 1 ms; 0 would mean none). */
  timeout(remainingMs: number): void {
    this.pending.push({ sql: `SET statement_timeout = ${Math.max(1, Math.floor(remainingMs))}`, sets: 'statement_timeout' });
  }

  /** A SET that makes the server read the next statement as the engine's parser did (connection.ts, READ_AS); kept, never reset. */
  readAs(sql: string): void {
    this.pending.push({ sql });
  }

  rollback(): void {
    this.pending.push({ sql: 'ROLLBACK' });
  }

  /** RESET of every setting that is still changed once the queue has gone out. */
  resets(): void {
    for (const setting of this.dirtyAfter(this.pending)) this.pending.push({ sql: `RESET ${setting}`, resets: setting });
  }

  /** Drops what has not gone out (after an error, the cleanup decides afresh). */
  discardPending(): void {
    this.pending = [];
  }

  /** Sends the queue as one simple query. On failure, settings it set count as changed, resets as not done. */
  async flush(send: (text: string) => Promise<unknown>): Promise<void> {
    if (this.pending.length === 0) return;
    const { statements, settle } = this.take();
    try {
      await send(statements.join('; '));
    } catch (error) {
      settle(false);
      throw error;
    }
    settle(true);
  }

  /**
   * Empties the queue for the caller to send. Until `settle(true)` (the server ran them
   * all), settings they set count as changed and resets as not done, so a failure in
   * between leaves the queue on the safe side.
   */
  take(): { statements: string[]; settle: (ranAll: boolean) => void } {
    const statements = this.pending;
    this.pending = [];
    const after = this.dirtyAfter(statements);
    for (const statement of statements) if (statement.sets) this.dirty.add(statement.sets);
    return {
      statements: statements.map((statement) => statement.sql),
      settle: (ranAll) => {
        // `after` is the queue's own set when these statements changed nothing: nothing to record.
        if (!ranAll || after === this.dirty) return;
        this.dirty.clear();
        for (const setting of after) this.dirty.add(setting);
      },
    };
  }

  /** A new set only when a statement sets or resets something: asked five times a cell, mostly about none. */
  private dirtyAfter(statements: GuardStatement[]): ReadonlySet<GuardedSetting> {
    let after: Set<GuardedSetting> | undefined;
    for (let index = 0; index < statements.length; index++) {
      const statement = statements[index]!;
      if (statement.sets) (after ??= new Set(this.dirty)).add(statement.sets);
      if (statement.resets) (after ??= new Set(this.dirty)).delete(statement.resets);
    }
    return after ?? this.dirty;
  }
}
