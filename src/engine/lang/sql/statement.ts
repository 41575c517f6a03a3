/**
 * One statement through the extended protocol, its rows taken as they arrive: the first
 * `maxRows` rows are kept, the rest only counted, so two million rows never sit in
 * memory and the rowCount is still exact. Values come back as PostgreSQL's text output
 * (what psql shows), NULL as null.
 *
 * Parse, Bind, Describe, Execute and Sync go out in one write and the result streams
 * back: one round trip per statement. (A pg-cursor portal read in batches needs one more
 * for its Close and Sync after the last batch, and one per batch; pg's Query in event mode
 * keeps no rows itself, so batching bought nothing here.) The extended protocol also
 * refuses a text with two statements in it, should the splitter ever hand one over.
 */
import pg from 'pg';

/** Every type as text: faithful to the server, stable in the transcript, no lossy Dates or floats. */
const AS_TEXT = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

export interface StatementOutcome {
  command: string;
  columns: string[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
}

export function runStatement(client: pg.Client, text: string, maxRows: number): Promise<StatementOutcome> {
  return new Promise((resolve, reject) => {
    const rows: unknown[][] = [];
    let counted = 0;
    const config = { text, rowMode: 'array', types: AS_TEXT, queryMode: 'extended' } as pg.QueryConfig;
    // With a 'row' listener and no callback, pg hands each row over and keeps none.
    const query = new pg.Query<unknown[]>(config);
    query.on('row', (row: unknown[]) => {
      counted += 1;
      if (rows.length < maxRows) rows.push(row);
    });
    query.on('error', reject);
    query.on('end', (result) => resolve(outcomeOf(result as unknown as pg.QueryResult, text, rows, counted)));
    client.query(query);
  });
}

function outcomeOf(result: pg.QueryResult | undefined, text: string, rows: unknown[][], counted: number): StatementOutcome {
  const columns = (result?.fields ?? []).map((field) => field.name);
  const returnsRows = columns.length > 0;
  return {
    command: result?.command ?? firstWord(text),
    columns,
    rows,
    // Rows counted as read for row-returning statements; affected rows otherwise.
    rowCount: returnsRows ? counted : (result?.rowCount ?? 0),
    truncated: counted > rows.length,
  };
}

function firstWord(text: string): string {
  return (/^\s*([A-Za-z]+)/.exec(text)?.[1] ?? '').toUpperCase();
}
