/**
 * What a sandbox seed does beyond its own database. A seed runs as the sandbox's superuser,
 * so `COPY … TO PROGRAM`, `lo_export`, `dblink` or `ALTER SYSTEM SET archive_command` in it
 * act on this machine or on another server, not on a disposable database: a seed from a
 * runbook folder is code. The sandbox runs a seed that reaches out only once its content
 * (sha256) has been confirmed; `lint` warns about the same statements. One judge for both.
 *
 * Judged from libpg-query's parse tree (PostgreSQL 18's grammar, a superset of the embedded
 * server's 17), so quoting, schema prefixes (`pg_catalog.lo_export`) and case do not hide a
 * call. The server parses a whole seed before running any of it (the simple query protocol),
 * so a seed that does not parse runs nothing and has nothing to review. Bodies the server
 * parses later: a LANGUAGE sql body is parsed and judged the same way; a PL/pgSQL body is
 * judged by every word in it, strings and comments included — stricter than its parse tree,
 * where a string given to EXECUTE or a quoted name is only text — so no quoting trick can
 * hide `EXECUTE` or a call (a mention in a comment asks too); any other language is code the
 * review cannot read.
 */
import { parseSql } from '../lang/sql/pg-parser.js';
import { positionAt } from '../lang/sql/statements.js';
import { findInTree } from '../lang/sql/tree-walk.js';
import type { Seed } from './seed.js';

export interface SeedReach {
  /** 1-based line in the seed file. */
  line: number;
  /** The statement's first line, as written (cut to a screen's width). */
  statement: string;
  /** What it reaches, in a few words: `runs a program on this machine`; no raw control character (a file name is JSON-quoted). */
  why: string;
}

export interface SeedReview {
  file: string;
  bytes: number;
  sha256: string;
  /** How many statements the seed runs (its session directives' not counted). */
  statements: number;
  /** Statements (and session directives) that reach outside the database; empty for a seed that only builds its database. */
  reaches: SeedReach[];
}

/** Functions that read or write this machine's files, or connect elsewhere. */
const OUTSIDE_FUNCTIONS: Record<string, string> = {
  lo_import: 'reads a file of this machine (large objects)',
  lo_export: 'writes a file of this machine (large objects)',
  pg_read_file: 'reads a file of this machine',
  pg_read_binary_file: 'reads a file of this machine',
  pg_stat_file: 'reads file information of this machine',
  pg_ls_dir: 'lists a directory of this machine',
  pg_file_write: 'writes a file of this machine',
  pg_file_rename: 'renames a file of this machine',
  pg_file_unlink: 'deletes a file of this machine',
  pg_file_sync: 'touches a file of this machine',
  pg_logdir_ls: 'lists a directory of this machine',
};

/** Functions that run SQL text given at run time: what they run cannot be read here. */
const DYNAMIC_SQL_FUNCTIONS = new Set([
  'query_to_xml', 'query_to_xmlschema', 'query_to_xml_and_xmlschema', 'cursor_to_xml', 'ts_stat', 'ts_rewrite',
  'crosstab', 'crosstab2', 'crosstab3', 'crosstab4', 'connectby',
]);

/** Settings that load server code or run programs. */
const OUTSIDE_SETTINGS = new Set([
  'session_preload_libraries', 'local_preload_libraries', 'shared_preload_libraries', 'dynamic_library_path',
  'archive_command', 'archive_library', 'restore_command', 'archive_cleanup_command', 'recovery_end_command',
  'ssl_passphrase_command', 'jit_provider',
]);

/** Roles that let their members run programs and read or write the server's files. */
const SERVER_ROLES = new Set(['pg_execute_server_program', 'pg_read_server_files', 'pg_write_server_files']);

/** Statement types that reach outside by what they are. */
const OUTSIDE_STATEMENTS: Record<string, string> = {
  AlterSystemStmt: "changes the server's configuration (ALTER SYSTEM)",
  CreateExtensionStmt: 'loads an extension (server code)',
  CreatePLangStmt: 'creates a procedural language (server code)',
  LoadStmt: 'loads a shared library into the server',
  CreateTableSpaceStmt: 'creates a directory on this machine (tablespace)',
  CreateFdwStmt: 'creates a foreign-data wrapper (reaches other servers)',
  CreateForeignServerStmt: 'defines another server to connect to',
  AlterForeignServerStmt: 'changes another server to connect to',
  CreateUserMappingStmt: 'stores credentials for another server',
  AlterUserMappingStmt: 'stores credentials for another server',
  ImportForeignSchemaStmt: 'reads tables of another server',
  CreateSubscriptionStmt: 'connects to another server (subscription)',
  AlterSubscriptionStmt: 'connects to another server (subscription)',
};

/** Words that, anywhere in a PL/pgSQL body, may start something that reaches out. */
const BODY_WORDS: Record<string, string> = {
  execute: 'runs SQL built at run time (EXECUTE in a PL/pgSQL body)',
  copy: 'COPY in a PL/pgSQL body (a program or a file of this machine)',
  load: 'LOAD in a PL/pgSQL body (a shared library)',
  extension: 'an extension in a PL/pgSQL body (server code)',
  language: 'defines a function in a PL/pgSQL body',
  system: 'ALTER SYSTEM in a PL/pgSQL body',
  server: 'another server in a PL/pgSQL body',
  wrapper: 'a foreign-data wrapper in a PL/pgSQL body',
  mapping: 'a user mapping in a PL/pgSQL body',
  subscription: 'a subscription in a PL/pgSQL body',
  tablespace: 'a tablespace in a PL/pgSQL body (a directory of this machine)',
};

/**
 * What a name reaches, if anything. `asCall`: the name is called (or may be, in a body), so
 * the families count too (`lo_*`, `dblink*`); elsewhere a column may well be `lo_limit`.
 */
function nameReach(written: string, asCall: boolean): string | undefined {
  const name = written.toLowerCase();
  if (OUTSIDE_FUNCTIONS[name]) return `${name}: ${OUTSIDE_FUNCTIONS[name]}`;
  if (SERVER_ROLES.has(name)) return `${name}: lets a role run programs or reach files of this machine`;
  if (OUTSIDE_SETTINGS.has(name)) return `${name}: loads server code or runs programs`;
  // dblink's functions may be named where no call is written (an aggregate's SFUNC, a cast's function).
  if (name.startsWith('dblink')) return `${name}: connects to another server`;
  if (!asCall) return undefined;
  if (name.startsWith('lo_') || name === 'loread' || name === 'lowrite') return `${name}: large objects (lo_import and lo_export reach files of this machine)`;
  if (name.startsWith('pg_ls_')) return `${name}: lists a directory of this machine`;
  if (DYNAMIC_SQL_FUNCTIONS.has(name)) return `${name}: runs SQL given as text`;
  return undefined;
}

/** Languages whose bodies this review reads; any other is code it cannot. */
const READABLE_LANGUAGES = new Set(['sql', 'plpgsql']);

const MAX_BODY_DEPTH = 8;

/** Reviews the seed's statements and its session directives' statements. */
export async function reviewSeed(seed: Seed): Promise<SeedReview> {
  const reaches: SeedReach[] = [];
  let statements: Awaited<ReturnType<typeof parseSql>>;
  try {
    statements = await parseSql(seed.text);
  } catch {
    // The server refuses the whole script before running a statement of it (see above).
    statements = [];
  }
  for (const { stmt, start, end } of statements) {
    const at = firstCode(seed.text, start, end);
    for (const why of await reachesOf(stmt, 0)) reaches.push({ line: positionAt(seed.text, at).line, statement: firstLine(seed.text.slice(at, end)), why });
  }
  for (const session of seed.sessions) {
    for (const sql of session.statements) {
      let parsed: Awaited<ReturnType<typeof parseSql>> = [];
      try {
        parsed = await parseSql(sql);
      } catch {
        parsed = [];
      }
      for (const { stmt } of parsed) {
        for (const why of await reachesOf(stmt, 0)) reaches.push({ line: session.line, statement: firstLine(sql), why: `${why} (session ${session.name})` });
      }
    }
  }
  return { file: seed.file, bytes: seed.bytes, sha256: seed.sha256, statements: statements.length, reaches };
}

/** Every reason one statement reaches outside the database, each once. */
async function reachesOf(stmt: unknown, depth: number): Promise<string[]> {
  const found = new Set<string>();
  const bodies: { language: string; body: string }[] = [];
  findInTree(stmt, (key, child) => {
    const node = child as Record<string, unknown>;
    if (key === 'CopyStmt') {
      const copy = node as { is_program?: boolean; is_from?: boolean; filename?: string };
      if (copy.is_program) found.add(`runs a program on this machine (COPY … ${copy.is_from ? 'FROM' : 'TO'} PROGRAM)`);
      else if (copy.filename !== undefined) found.add(`${copy.is_from ? 'reads' : 'writes'} a file of this machine (COPY … ${copy.is_from ? 'FROM' : 'TO'} ${JSON.stringify(copy.filename)})`);
    } else if (OUTSIDE_STATEMENTS[key]) found.add(OUTSIDE_STATEMENTS[key]);
    else if (key === 'FuncCall') {
      const name = (node.funcname as { String?: { sval?: string } }[] | undefined)?.at(-1)?.String?.sval;
      const why = name ? nameReach(name, true) : undefined;
      if (why) found.add(why);
      // set_config names its setting as a constant, which the walk does not read as a name (below).
      if (name?.toLowerCase() === 'set_config') {
        const setting = (node.args as { A_Const?: { sval?: { sval?: string } } }[] | undefined)?.[0]?.A_Const?.sval?.sval;
        const reach = setting && OUTSIDE_SETTINGS.has(setting.toLowerCase()) ? nameReach(setting, false) : undefined;
        if (reach) found.add(reach);
      }
    } else if (key === 'DoStmt' || key === 'CreateFunctionStmt') {
      const body = bodyOf(node, key === 'DoStmt');
      if (body) bodies.push(body);
    } else if (typeof child === 'string') {
      // Any name, wherever the grammar puts it (an operator's PROCEDURE =, a role, a setting).
      const why = nameReach(child, false);
      if (why) found.add(why);
    }
    return undefined;
    // A constant's text is data, not a name: `SELECT 'dblink …'` reaches nothing. Text that is
    // run as SQL is judged where it is passed (DYNAMIC_SQL_FUNCTIONS, function bodies).
  }, (key) => key !== 'A_Const');
  for (const { language, body } of bodies) for (const why of await bodyReaches(language, body, depth)) found.add(why);
  return [...found];
}

/** A DO block's or a function's language and body text (`as`), when it has one as text. */
function bodyOf(node: Record<string, unknown>, isDo: boolean): { language: string; body: string } | undefined {
  const elements = ((isDo ? node.args : node.options) as { DefElem?: { defname?: string; arg?: unknown } }[] | undefined) ?? [];
  let language = isDo ? 'plpgsql' : '';
  let body: string | undefined;
  for (const { DefElem: element } of elements) {
    if (element?.defname === 'language') language = ((element.arg as { String?: { sval?: string } }).String?.sval ?? '').toLowerCase();
    if (element?.defname === 'as') {
      const arg = element.arg as { String?: { sval?: string }; List?: { items?: { String?: { sval?: string } }[] } };
      body = arg.String?.sval ?? arg.List?.items?.map((item) => item.String?.sval ?? '').join('\n');
    }
  }
  // A BEGIN ATOMIC body is part of the tree, walked with the statement; any other language is judged by its name.
  if (body === undefined) return READABLE_LANGUAGES.has(language) ? undefined : { language, body: '' };
  return { language, body };
}

async function bodyReaches(language: string, body: string, depth: number): Promise<string[]> {
  if (!READABLE_LANGUAGES.has(language)) return [`runs code in LANGUAGE ${language || '(none given)'}, which this review cannot read`];
  if (language === 'plpgsql') return plpgsqlReaches(body);
  if (depth >= MAX_BODY_DEPTH) return ['a function body nested too deep to review'];
  let statements: Awaited<ReturnType<typeof parseSql>>;
  try {
    statements = await parseSql(body);
  } catch {
    return ['a LANGUAGE sql body that does not parse, so cannot be reviewed'];
  }
  const found = new Set<string>();
  for (const { stmt } of statements) for (const why of await reachesOf(stmt, depth + 1)) found.add(why);
  return [...found];
}

/** Every word of the body, code, strings and comments alike: what the body could reach. */
function plpgsqlReaches(body: string): string[] {
  const found = new Set<string>();
  // U&"\006C…" spells a name in escapes no word scan sees.
  if (/u&/i.test(body)) found.add('Unicode escapes (U&) in a PL/pgSQL body, which this review cannot read');
  for (const [word] of body.matchAll(/[A-Za-z_][A-Za-z0-9_$]*/g)) {
    const why = BODY_WORDS[word.toLowerCase()] ?? nameReach(word, true);
    if (why) found.add(why);
  }
  return [...found];
}

/** Where a statement's text starts: after the comments and blank lines before it. */
function firstCode(text: string, start: number, end: number): number {
  let at = start;
  for (;;) {
    while (at < end && /\s/.test(text[at] ?? '')) at++;
    if (text.startsWith('--', at)) {
      const newline = text.indexOf('\n', at);
      at = newline < 0 || newline > end ? end : newline + 1;
    } else if (text.startsWith('/*', at)) {
      const close = text.indexOf('*/', at + 2);
      at = close < 0 || close > end ? end : close + 2;
    } else return at;
  }
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0]?.trim() ?? '';
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}
