/**
 * The target's own word on what the run's SQL calls: one query per run, for the function
 * and operator names the cells use, giving the most volatile overload of each name in any
 * schema (a `public.sneaky()` shadowing nothing is still looked up by its name). Views
 * are not looked into: their functions run as the view's owner planned them, and a
 * SELECT from a view counts by the functions the statement itself names.
 */
import type { Catalogue, Volatility } from './effects.js';
import { calledNames } from './effects.js';
import { withClient, type Queryable } from './connect.js';

const QUERY = `
SELECT 'f' AS kind, proname AS name, max(provolatile::text) AS volatility
  FROM pg_catalog.pg_proc WHERE proname = ANY($1::text[]) GROUP BY proname
UNION ALL
SELECT 'o', o.oprname, max(p.provolatile::text)
  FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_proc p ON p.oid = o.oprcode
 WHERE o.oprname = ANY($2::text[]) GROUP BY o.oprname`;

/** What `sources` call: the names to look up. */
async function namesIn(sources: readonly string[]): Promise<{ functions: string[]; operators: string[] }> {
  const functions = new Set<string>();
  const operators = new Set<string>();
  for (const sql of sources) {
    const names = await calledNames(sql);
    for (const name of names.functions) functions.add(name);
    for (const name of names.operators) operators.add(name);
  }
  return { functions: [...functions], operators: [...operators] };
}

/** Everything `sources` call, looked up through a connected client. */
export async function queryCatalogue(client: Queryable, sources: readonly string[]): Promise<Catalogue> {
  const { functions, operators } = await namesIn(sources);
  const catalogue = { functions: new Map<string, Volatility>(), operators: new Map<string, Volatility>() };
  if (functions.length === 0 && operators.length === 0) return catalogue;
  const result = await client.query<{ kind: string; name: string; volatility: string }>(QUERY, [functions, operators]);
  for (const row of result.rows) {
    // 'v' > 's' > 'i' as text: max() is the most volatile overload.
    const volatility = (['i', 's', 'v'].includes(row.volatility) ? row.volatility : 'v') as Volatility;
    (row.kind === 'f' ? catalogue.functions : catalogue.operators).set(row.name, volatility);
  }
  return catalogue;
}

/** Everything `sources` call, looked up on the database at `url`. Throws when it cannot connect. */
export async function loadCatalogue(url: string, sources: readonly string[]): Promise<Catalogue> {
  return withClient(url, 'runbook catalogue', (client) => queryCatalogue(client, sources));
}

/** One lookup per run for the SQL cells of a run; a database that does not answer leaves the built-ins to decide (preflight says why). */
export async function catalogueFor(url: string, cells: readonly { lang: string; source: string }[]): Promise<Catalogue | undefined> {
  const sql = cells.filter((cell) => cell.lang === 'sql').map((cell) => cell.source);
  if (!url || sql.length === 0) return undefined;
  try {
    return await loadCatalogue(url, sql);
  } catch {
    return undefined;
  }
}

/** The catalogue with what an edited cell calls looked up too; as it was when the database does not answer. */
export async function widenCatalogue(catalogue: Catalogue, url: string, source: string): Promise<Catalogue> {
  const more = await catalogueFor(url, [{ lang: 'sql', source }]);
  if (!more) return catalogue;
  return {
    functions: new Map([...catalogue.functions, ...more.functions]),
    operators: new Map([...catalogue.operators, ...more.operators]),
  };
}
