/**
 * PostgreSQL connection strings, read the way the driver reads them before anything
 * prints one: URLs by `pg-connection-string` (pg's own parser: an unencoded `@` or a
 * space in the password, `?password=…` in the query), libpq key/value strings
 * (`host=db password='s3 cret'`) by libpq's quoting rules. Masking and the target both
 * read their passwords from here.
 */
import { parse } from 'pg-connection-string';

export interface ConnectionParts {
  user?: string;
  password?: string;
  host?: string;
  port?: string;
  database?: string;
}

const KEY_VALUE = /^\s*[A-Za-z_]+\s*=/;

/** `host=… password=…`, libpq's keyword/value form. */
export function isKeyValue(text: string): boolean {
  return KEY_VALUE.test(text) && !/^\s*[a-z][a-z0-9+.-]*:\/\//i.test(text);
}

/** The parts of a URL or key/value string; undefined when it is neither. */
export function parseConnectionString(text: string): ConnectionParts | undefined {
  if (isKeyValue(text)) return keyValueParts(text);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text.trim())) return undefined;
  try {
    // sslcert & co. make pg-connection-string read files: strip them, only the names matter here.
    const config = parse(text.trim().replace(/([?&])ssl(?:cert|key|rootcert)=[^&]*/gi, '$1'));
    const parts: ConnectionParts = {};
    if (config.user) parts.user = config.user;
    if (config.password) parts.password = config.password;
    if (config.host) parts.host = config.host;
    if (config.port) parts.port = String(config.port);
    if (config.database) parts.database = config.database;
    return parts;
  } catch {
    return undefined;
  }
}

/** Every spelling of the password in `text` (as written, decoded, re-encoded): all are masked. */
export function passwordForms(text: string): string[] {
  const forms = new Set<string>();
  // A URL that names no password has none: `postgres://oncall@h/d` read as `user:pw@host` would mask its user.
  const parsed = parseConnectionString(text);
  const password = parsed ? parsed.password : schemeLessPassword(text);
  if (password) {
    forms.add(password);
    forms.add(encodeURIComponent(password));
    forms.add(encodeURI(password));
  }
  // As written between `user:` and the last `@` of the authority, however it was encoded.
  const written = /^\s*(?:[a-z][a-z0-9+.-]*:\/\/)?[^:/@\s]*:([^/\s?#]*)@[^@/\s]*(?:[/?#]|\s*$)/i.exec(text)?.[1];
  if (written) forms.add(written);
  const query = /[?&]password=([^&#\s]*)/i.exec(text)?.[1];
  if (query) forms.add(query);
  return [...forms].filter((form) => form.length > 0);
}

/** The keyword/value string as a URL pg can connect with. */
export function keyValueToUrl(parts: ConnectionParts): string {
  const auth = parts.user ? `${encodeURIComponent(parts.user)}${parts.password ? `:${encodeURIComponent(parts.password)}` : ''}@` : '';
  const host = parts.host && !parts.host.startsWith('/') ? parts.host : 'localhost';
  const socket = parts.host?.startsWith('/') ? `?host=${encodeURIComponent(parts.host)}` : '';
  return `postgresql://${auth}${host}${parts.port ? `:${parts.port}` : ''}/${encodeURIComponent(parts.database ?? '')}${socket}`;
}

/** `user:pw@host/db` without a scheme. */
function schemeLessPassword(text: string): string | undefined {
  const match = /^\s*[^:/@\s]+:(\S*)@[^@/\s]+(?:[/?]\S*)?\s*$/.exec(text);
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

/** libpq: `key = value`, values bare or single-quoted with `\'` and `\\` escapes. */
function keyValueParts(text: string): ConnectionParts {
  const parts: ConnectionParts = {};
  const names: Record<string, keyof ConnectionParts> = { user: 'user', password: 'password', host: 'host', hostaddr: 'host', port: 'port', dbname: 'database' };
  const pattern = /([A-Za-z_]+)\s*=\s*(?:'((?:\\.|[^'\\])*)'|(\S*))/g;
  for (const match of text.matchAll(pattern)) {
    const key = names[match[1]!.toLowerCase()];
    const value = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!;
    if (key && !(key === 'host' && parts.host)) parts[key] = value;
  }
  return parts;
}
