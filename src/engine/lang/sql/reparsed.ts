/**
 * Placeholders that cannot be bound by text: inside a dollar-quoted body (`DO $$ … $$`, a
 * function body, `$q$…$q$`) or a string handed to a function that runs it as a query
 * (`ts_stat('…')`, `query_to_xml('…')`, `dblink(…, '…')`), the server parses the text
 * again, so quoting for one level is not quoting at all: `EXECUTE '… ''<NOTE>'' …'` turns
 * `x'; DELETE …` back into code. Such a value is read with `current_setting('runbook.<name>')`,
 * which the engine sets with a bound parameter (see sessionSettings).
 *
 * Two judges, both refusing: the lexical one below (sync, for the binder itself) sees a
 * literal argument written in place; reparsedCalls() reads the real parse tree, so an
 * argument built by concatenation (`query_to_xml('…' || '<X>' || '…', …)`), a function named
 * in quotes (`"query_to_xml"(…)`) or with its schema is judged by its whole argument list.
 */
import { sqlRegions } from './lexer.js';
import { parseCellSql } from './statements.js';
import { findInTree } from './tree-walk.js';

export interface Reparsed {
  name: string;
  /** Character offset of `<name>` in the SQL. */
  offset: number;
  where: string;
}

/** Functions whose string arguments are SQL the server parses and runs. */
const QUERY_FUNCTIONS = /\b(ts_stat|ts_rewrite|query_to_xml|query_to_xmlschema|query_to_xml_and_xmlschema|cursor_to_xml|dblink|dblink_exec|dblink_open|dblink_send_query|dblink_fetch)\s*\(\s*(?:(?:E?'(?:[^']|'')*'|[A-Za-z_][\w.]*)\s*,\s*)*$/i;

/** Every placeholder among `names` that sits where the server re-parses text, in order. */
export function reparsedPlaceholders(sql: string, names: readonly string[]): Reparsed[] {
  if (names.length === 0 || !sql.includes('<')) return [];
  const found: Reparsed[] = [];
  for (const region of sqlRegions(sql)) {
    if (region.kind !== 'dollar' && region.kind !== 'string') continue;
    let where: string | undefined;
    if (region.kind === 'dollar') where = `a dollar-quoted body (${/^\$[^$]*\$/.exec(sql.slice(region.start))?.[0] ?? '$$'} … )`;
    else {
      const call = QUERY_FUNCTIONS.exec(sql.slice(Math.max(0, region.start - 400), region.start));
      if (call) where = `a query string given to ${call[1]!.toLowerCase()}()`;
    }
    if (!where) continue;
    const text = sql.slice(region.start, region.end);
    for (const name of names) {
      for (let at = text.indexOf(`<${name}>`); at >= 0; at = text.indexOf(`<${name}>`, at + 1)) {
        found.push({ name, offset: region.start + at, where });
      }
    }
  }
  return found.sort((a, b) => a.offset - b.offset);
}

/** Functions that take SQL text (or build it from their arguments) and run it; pgRouting's pgr_* take query strings too. */
const QUERY_FUNCTION_NAMES = new Set([
  'ts_stat', 'ts_rewrite', 'query_to_xml', 'query_to_xmlschema', 'query_to_xml_and_xmlschema', 'cursor_to_xml',
  'dblink', 'dblink_exec', 'dblink_open', 'dblink_send_query', 'dblink_fetch', 'crosstab', 'crosstab2', 'crosstab3',
  'crosstab4', 'connectby', 'run_command_on_workers', 'run_command_on_shards', 'run_command_on_placements',
]);

function takesQuery(name: string): boolean {
  const folded = name.toLowerCase();
  return QUERY_FUNCTION_NAMES.has(folded) || folded.startsWith('pgr_');
}

/**
 * Every placeholder among `names` anywhere inside the argument list of a call that runs
 * SQL text, from the parse tree. SQL that does not parse has none here (the server
 * refuses it before anything runs).
 */
export async function reparsedCalls(sql: string, names: readonly string[]): Promise<Reparsed[]> {
  if (names.length === 0 || !sql.includes('<')) return [];
  let statements;
  try {
    statements = await parseCellSql(sql);
  } catch {
    return [];
  }
  const toChar = byteToChar(sql);
  const found: Reparsed[] = [];
  findInTree(statements.map((s) => s.stmt), (key, child) => {
    if (key !== 'FuncCall') return undefined;
    const call = child as { funcname?: { String?: { sval?: string } }[]; location?: number };
    const name = call.funcname?.at(-1)?.String?.sval ?? '';
    if (!takesQuery(name) || call.location === undefined) return undefined;
    const range = argumentRange(sql, toChar(call.location));
    if (!range) return undefined;
    const text = sql.slice(range.open, range.close);
    for (const placeholder of names) {
      for (let at = text.indexOf(`<${placeholder}>`); at >= 0; at = text.indexOf(`<${placeholder}>`, at + 1)) {
        found.push({ name: placeholder, offset: range.open + at, where: `an argument of ${name.toLowerCase()}()` });
      }
    }
    return undefined;
  });
  const seen = new Set<number>();
  return found.sort((a, b) => a.offset - b.offset).filter((f) => !seen.has(f.offset) && seen.add(f.offset));
}

/** The parentheses of the call whose name starts at `from`: the first `(` in code after it, to its match. */
function argumentRange(sql: string, from: number): { open: number; close: number } | undefined {
  let open = -1;
  let depth = 0;
  for (const region of sqlRegions(sql)) {
    if (region.end <= from || region.kind !== 'code') continue;
    for (let at = Math.max(region.start, from); at < region.end; at++) {
      const char = sql[at];
      if (char === '(') {
        if (open < 0) open = at;
        depth++;
      } else if (char === ')' && open >= 0 && --depth === 0) return { open, close: at + 1 };
    }
  }
  return open >= 0 ? { open, close: sql.length } : undefined;
}

/** libpg-query's locations are UTF-8 byte offsets. */
function byteToChar(text: string): (byte: number) => number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return (byte) => byte;
  const bytes = Buffer.from(text, 'utf8');
  return (byte) => bytes.subarray(0, byte).toString('utf8').length;
}

/** The session setting a value is readable under: `runbook.good_sha` for <GOOD_SHA>. */
export function settingName(name: string): string {
  return `runbook.${name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
}

/** One line: what, where, and the safe way. */
export function reparsedMessage(found: Reparsed, line: number): string {
  return `<${found.name}> at line ${line} of the cell sits in ${found.where}, which the server parses again as SQL: a value cannot be bound there as text; read it with current_setting('${settingName(found.name)}') instead`;
}

/** Every value as a `runbook.<name>` session setting, for bodies that read current_setting(). */
export function sessionSettings(values: Readonly<Record<string, string>>): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) if (!value.includes('\0')) settings[settingName(name)] = value;
  return settings;
}
