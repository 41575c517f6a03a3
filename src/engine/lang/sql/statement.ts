/**
 * One statement through the extended protocol, its rows taken as they arrive: the first
 * `maxRows` rows are kept, the rest only counted, so two million rows never sit in
 * memory and the rowCount is still exact. Values come back as PostgreSQL's text output
 * (what psql shows), NULL as null.
 *
 * The statement may carry the executor's own statements around it (the read-only guard,
 * statement_timeout, the engine's COMMIT): Parse/Bind/Execute for each, the statement's
 * Parse/Bind/Describe/Execute in between, ONE Sync at the end, all in one socket write. So
 * a read-only cell is one round trip instead of three, and the server's rule for the
 * extended protocol keeps the guard's promise: after an error it skips every message up
 * to the Sync, so the statement never runs when a guard statement before it failed. The
 * extended protocol also refuses a text with two statements in it, should the splitter
 * ever hand one over.
 *
 * Which part the server is answering is counted from its replies (each part ends with
 * CommandComplete, or with the ErrorResponse after which nothing more runs): notices of
 * the quiet parts (the guard's closing COMMIT warns "there is no transaction in progress") are
 * not the cell's, and an error after the statement completed still lets its result show.
 */
import type pg from 'pg';

export interface StatementOutcome {
  command: string;
  columns: string[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
}

/** A statement of the executor's own sent with the cell's. `quiet`: its notices are not the cell's. */
export interface ExtraStatement {
  sql: string;
  quiet: boolean;
}

/** Nothing around the statement. */
const ALONE = { before: [], after: [] } as const;

/** A part after the statement failed: the statement ran and its outcome stands. */
export class FailedAfterStatement extends Error {
  constructor(
    override readonly cause: unknown,
    readonly outcome: StatementOutcome,
  ) {
    super((cause as Error)?.message ?? String(cause));
    this.name = 'FailedAfterStatement';
  }
}

/** The protocol messages pg's Connection sends (its typings lack the optional `more`). */
interface Wire {
  stream: { cork?(): void; uncork?(): void };
  parse(message: { text: string }): void;
  bind(message: { portal: string; statement: string; binary: boolean }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(message: { portal: string; rows: number }): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

interface Field {
  name: string;
}

/**
 * A pg Submittable (the interface pg.Query implements): pg hands it the server's messages
 * until ReadyForQuery, and after an ErrorResponse stops handing it anything but that error.
 */
export class StatementBatch {
  private readonly parts: ExtraStatement[];
  /** Index in `parts` of the cell's statement. */
  private readonly statementAt: number;
  /** The part the server is answering: advanced by each CommandComplete. */
  private at = 0;
  private columns: string[] = [];
  private readonly rows: unknown[][] = [];
  private counted = 0;
  private outcome: StatementOutcome | undefined;
  private settle: { resolve: (outcome: StatementOutcome) => void; reject: (error: unknown) => void } | undefined;
  private failure: unknown;

  constructor(
    private readonly text: string,
    private readonly maxRows: number,
    around: { before: readonly ExtraStatement[]; after: readonly ExtraStatement[] } = ALONE,
  ) {
    this.statementAt = around.before.length;
    this.parts = [...around.before, { sql: text, quiet: false }, ...around.after];
  }

  /** Whether a notice arriving now belongs to the cell (the statement, or a part after it that is not quiet). */
  get noticesAreTheCells(): boolean {
    return this.parts[this.at]?.quiet === false;
  }

  /** Sends the batch on the client's queue; resolves with the statement's outcome once the server is ready again. */
  run(client: pg.Client): Promise<StatementOutcome> {
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      client.query(this as unknown as pg.Submittable);
    });
  }

  submit(connection: Wire): void {
    // One write for the whole batch (pg.Query corks the same way for its extended queries).
    connection.stream.cork?.();
    try {
      this.parts.forEach((part, index) => {
        connection.parse({ text: part.sql });
        connection.bind({ portal: '', statement: '', binary: false });
        // Describe only the statement: its columns, also for a SELECT that returns no rows.
        if (index === this.statementAt) connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '', rows: 0 });
      });
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
  }

  handleRowDescription(message: { fields: Field[] }): void {
    if (this.at === this.statementAt) this.columns = message.fields.map((field) => field.name);
  }

  handleDataRow(message: { fields: unknown[] }): void {
    if (this.at !== this.statementAt) return;
    this.counted += 1;
    // Text format: pg-protocol hands each value over as PostgreSQL's text output, NULL as null.
    if (this.rows.length < this.maxRows) this.rows.push(message.fields);
  }

  handleCommandComplete(message: { text?: string }): void {
    if (this.at === this.statementAt) this.outcome = this.outcomeOf(message.text);
    this.at += 1;
  }

  /** Only the statement could be empty (the splitter never hands one over); the guard's never are. */
  handleEmptyQuery(): void {
    if (this.at === this.statementAt) this.outcome = this.outcomeOf(undefined);
    this.at += 1;
  }

  handleError(error: unknown): void {
    // pg stops routing to this batch after an error; the server skips the rest up to the Sync.
    this.failure = error;
    const settle = this.settle;
    this.settle = undefined;
    if (!settle) return;
    if (this.outcome && this.at > this.statementAt) settle.reject(new FailedAfterStatement(error, this.outcome));
    else settle.reject(error);
  }

  handleReadyForQuery(): void {
    const settle = this.settle;
    this.settle = undefined;
    if (!settle) return;
    if (this.outcome) settle.resolve(this.outcome);
    else settle.reject(this.failure ?? new Error('the server answered the statement with neither a result nor an error'));
  }

  handlePortalSuspended(): void {
    // Execute asks for every row (rows: 0): a portal is never suspended.
  }

  handleCopyInResponse(connection: Wire): void {
    // COPY … FROM STDIN has no stdin in a cell: refused as pg.Query refuses it.
    connection.sendCopyFail('No source stream defined');
  }

  handleCopyData(): void {
    // COPY … TO STDOUT: its data is not a result set; pg.Query drops it as well.
  }

  private outcomeOf(tag: string | undefined): StatementOutcome {
    const match = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/.exec(tag ?? '');
    const affected = match?.[3] ?? match?.[2];
    const returnsRows = this.columns.length > 0;
    return {
      command: match?.[1] ?? firstWord(this.text),
      columns: this.columns,
      rows: this.rows,
      // Rows counted as read for row-returning statements; affected rows otherwise.
      rowCount: returnsRows ? this.counted : affected ? Number(affected) : 0,
      truncated: this.counted > this.rows.length,
    };
  }
}

function firstWord(text: string): string {
  return (/^\s*([A-Za-z]+)/.exec(text)?.[1] ?? '').toUpperCase();
}
