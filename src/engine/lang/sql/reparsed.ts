/**
 * Placeholders that cannot be bound by text: inside a dollar-quoted body (`DO $$ … $$`, a
 * function body, `$q$…$q$`) or a string handed to a function that runs it as a query
 * (`ts_stat('…')`, `query_to_xml('…')`, `dblink(…, '…')`), the server parses the text
 * again, so quoting for one level is not quoting at all: `EXECUTE '… ''<NOTE>'' …'` turns
 * `x'; DELETE …` back into code. Such a value is read with `current_setting('runbook.<name>')`,
 * which the engine sets with a bound parameter (see sessionSettings).
 */
import { sqlRegions } from './lexer.js';

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
