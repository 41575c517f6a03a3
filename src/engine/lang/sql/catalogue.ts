/**
 * The target's own word on what the run's SQL calls and reads: the most volatile overload
 * of each function and operator name in any schema (a `public.sneaky()` shadowing nothing
 * is still looked up by its name), and the definitions that run inside the names: SQL
 * function bodies, aggregates' support functions (an aggregate's own provolatile is 'i'
 * whatever its transition function does), views' queries and tables' row-security
 * policies, outside pg_catalog. What those definitions use is looked up in turn, one query
 * per level, DEFINITION_DEPTH levels at most; what lies deeper is left unknown (a write).
 */
import type { Catalogue, Definition, Volatility } from './effects.js';
import { calledNames, DEFINITION_DEPTH } from './effects.js';
import { withClient, type Queryable } from './connect.js';
import { parseSql } from './pg-parser.js';
import { calls } from './calls.js';

/** Languages whose body is a black box with full access: a non-VOLATILE function in one is not judged, so not a read. */
const TRUSTED_LANGUAGES = new Set(['internal', 'c']);

const QUERY = `
SELECT 'f' AS kind, p.proname AS name, p.provolatile::text AS volatility,
       format('%s %s.%s(%s)', CASE p.prokind WHEN 'a' THEN 'aggregate' WHEN 'p' THEN 'procedure' ELSE 'function' END,
              n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS what,
       CASE WHEN n.nspname = 'pg_catalog' THEN NULL
            WHEN p.prokind = 'a' THEN 'aggregate'
            ELSE l.lanname::text END AS language,
       CASE WHEN n.nspname <> 'pg_catalog' AND l.lanname = 'sql' AND p.prokind <> 'a'
            THEN coalesce(pg_get_function_sqlbody(p.oid), p.prosrc) END AS body,
       (SELECT array_agg(s.proname::text) FROM pg_catalog.pg_aggregate a JOIN pg_catalog.pg_proc s
           ON s.oid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn, a.aggmtransfn, a.aggminvtransfn, a.aggmfinalfn)
         WHERE a.aggfnoid = p.oid) AS support
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_catalog.pg_language l ON l.oid = p.prolang
 WHERE p.proname = ANY($1::text[])
UNION ALL
SELECT 'o', o.oprname, max(p.provolatile::text), format('operator %s', o.oprname), NULL, NULL,
       array_agg(p.proname::text) FILTER (WHERE p.pronamespace <> 'pg_catalog'::regnamespace)
  FROM pg_catalog.pg_operator o JOIN pg_catalog.pg_proc p ON p.oid = o.oprcode
 WHERE o.oprname = ANY($2::text[]) GROUP BY o.oprname
UNION ALL
SELECT 'r', c.relname, NULL, format('%s %s.%s', CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END, n.nspname, c.relname), NULL,
       CASE WHEN c.relkind = 'v' THEN pg_catalog.pg_get_viewdef(c.oid) END,
       CASE WHEN c.relrowsecurity THEN (SELECT array_agg(pg_catalog.pg_get_expr(pol.polqual, pol.polrelid)) FROM pg_catalog.pg_policy pol
                                         WHERE pol.polrelid = c.oid AND pol.polcmd IN ('r', '*') AND pol.polqual IS NOT NULL) END
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relname = ANY($3::text[]) AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND (c.relkind = 'v' OR c.relrowsecurity)`;

interface Row {
  kind: 'f' | 'o' | 'r';
  name: string;
  volatility: string | null;
  what: string | null;
  language: string | null;
  /** A SQL function's body or a view's query. */
  body: string | null;
  /** An aggregate's support functions, an operator's functions outside pg_catalog, or a table's row-security policy expressions. */
  support: string[] | null;
}

interface Names {
  functions: string[];
  operators: string[];
  relations: string[];
}

/** What `sources` call and read: the names to look up. */
async function namesIn(sources: readonly string[]): Promise<Names> {
  const names: Names = { functions: [], operators: [], relations: [] };
  for (const sql of sources) {
    const found = await calledNames(sql);
    names.functions.push(...found.functions);
    names.operators.push(...found.operators);
    names.relations.push(...found.relations);
  }
  return names;
}

/** Everything `sources` call and read, and what runs inside it, looked up through a connected client. */
export async function queryCatalogue(client: Queryable, sources: readonly string[]): Promise<Catalogue> {
  const functions = new Map<string, Volatility>();
  const operators = new Map<string, Volatility>();
  const definitions = new Map<string, Definition[]>();
  const asked = { functions: new Set<string>(), operators: new Set<string>(), relations: new Set<string>() };
  let next = await namesIn(sources);
  for (let level = 0; level <= DEFINITION_DEPTH; level++) {
    const ask = {
      functions: [...new Set(next.functions)].filter((name) => !asked.functions.has(name)),
      operators: [...new Set(next.operators)].filter((name) => !asked.operators.has(name)),
      relations: [...new Set(next.relations)].filter((name) => !asked.relations.has(name)),
    };
    if (ask.functions.length + ask.operators.length + ask.relations.length === 0) break;
    if (level === DEFINITION_DEPTH) {
      // Deeper than the bound: unknown here, so each is judged a write where it is reached.
      for (const name of ask.relations) definitions.set(`relation:${name}`, [{ what: name, opaque: `lies deeper than ${DEFINITION_DEPTH} levels of definitions` }]);
      break;
    }
    for (const name of ask.functions) asked.functions.add(name);
    for (const name of ask.operators) asked.operators.add(name);
    for (const name of ask.relations) asked.relations.add(name);
    const result = await lookUp(client, [ask.functions, ask.operators, ask.relations]);
    next = { functions: [], operators: [], relations: [] };
    for (const row of result.rows) {
      if (row.kind === 'o') {
        operators.set(row.name, volatilityOf(row.volatility));
        // An operator of your own runs its function: judged as a call of it.
        if (row.support?.length) {
          next.functions.push(...row.support);
          add(definitions, `operator:${row.name}`, { what: row.what ?? `operator ${row.name}`, calls: row.support });
        }
      }
      else if (row.kind === 'f') {
        // 'v' > 's' > 'i' as text: the most volatile overload counts.
        const volatility = volatilityOf(row.volatility);
        const known = functions.get(row.name);
        if (known === undefined || known < volatility) functions.set(row.name, volatility);
        const definition = await functionDefinition(row, volatility, next);
        if (definition) add(definitions, `function:${row.name}`, definition);
      } else add(definitions, `relation:${row.name}`, await relationDefinition(row, next));
    }
  }
  return { functions, operators, definitions };
}

/** PostgreSQL before 14 has no SQL-standard bodies (BEGIN ATOMIC) and no pg_get_function_sqlbody(): prosrc is the body there. */
async function lookUp(client: Queryable, names: string[][]): Promise<{ rows: Row[] }> {
  try {
    return await client.query<Row>(QUERY, names);
  } catch (error) {
    if ((error as { code?: string }).code !== '42883') throw error;
    return client.query<Row>(QUERY.replace('coalesce(pg_get_function_sqlbody(p.oid), p.prosrc)', 'p.prosrc'), names);
  }
}

function volatilityOf(text: string | null): Volatility {
  return (['i', 's', 'v'].includes(text ?? '') ? text : 'v') as Volatility;
}

function add(definitions: Map<string, Definition[]>, key: string, definition: Definition): void {
  definitions.set(key, [...(definitions.get(key) ?? []), definition]);
}

/** A function outside pg_catalog: its body (SQL), its support functions (an aggregate), or why it cannot be judged. */
async function functionDefinition(row: Row, volatility: Volatility, next: Names): Promise<Definition | undefined> {
  const what = row.what ?? `function ${row.name}`;
  if (row.language === null) return undefined;
  // Named as the call names it, a VOLATILE one is a write anyway, unless it shadows a built-in volatile read (public.random()).
  if (volatility === 'v') return { what, opaque: 'is VOLATILE' };
  if (row.language === 'aggregate') {
    const support = row.support ?? [];
    next.functions.push(...support);
    return { what, calls: support };
  }
  if (row.body !== null) return row.body.trim() ? parsedDefinition(what, row.body, next) : { what, opaque: 'has no body to judge' };
  if (TRUSTED_LANGUAGES.has(row.language)) return undefined;
  return { what, opaque: `is written in ${row.language}, whose body is not judged` };
}

/** A view's query and a table's row-security policies (as `SELECT … WHERE <qual>`). */
async function relationDefinition(row: Row, next: Names): Promise<Definition> {
  const what = row.what ?? row.name;
  const text = [row.body, ...(row.support ?? []).map((qual) => `SELECT 1 WHERE ${qual}`)].filter((part): part is string => !!part).join(';\n');
  return parsedDefinition(what, text, next);
}

async function parsedDefinition(what: string, text: string, next: Names): Promise<Definition> {
  try {
    const statements = (await parseSql(text)).map((statement) => statement.stmt);
    for (const statement of statements) {
      const found = calls(statement);
      next.functions.push(...found.functions);
      next.operators.push(...found.operators);
      next.relations.push(...found.relations);
    }
    return { what, statements };
  } catch {
    return { what, opaque: 'has a definition that does not parse here' };
  }
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
    definitions: new Map([...(catalogue.definitions ?? []), ...(more.definitions ?? [])]),
  };
}
