/**
 * Reading a configured connection string into a URL pg connects with. Apart from
 * connection-string.ts because its error lines mask the password (redact.ts), and masking
 * itself reads passwords through connection-string.ts.
 */
import { isKeyValue, keyValueToUrl, parseConnectionString, type ConnectionParts } from './connection-string.js';
import { InputError } from './errors.js';
import { maskUrl } from './redact.js';

/**
 * The one reader of a configured connection string (`--db`, `DATABASE_URL`, `--log`,
 * `RUNBOOK_LOG_URL`): a postgres:// URL or a libpq key/value string, checked and read by pg's
 * own parser, as a URL pg connects with. `where` names where it came from for the error
 * line, which shows the string with its password masked however it was written.
 */
export function readDatabaseUrl(raw: string, where: string): { url: string; parts: ConnectionParts & { host: string } } {
  const value = raw.trim();
  const hint = 'expected postgres://user:password@host:5432/database';
  const shown = maskUrl(value);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (!scheme && !isKeyValue(value)) throw new InputError(`${where}: '${shown}' is not a PostgreSQL URL; ${hint}`);
  if (scheme && scheme !== 'postgres' && scheme !== 'postgresql') throw new InputError(`${where}: '${shown}' is a ${scheme} URL, not PostgreSQL; ${hint}`);
  const parts = parseConnectionString(value);
  if (!parts) throw new InputError(`${where}: '${shown}' is not a PostgreSQL URL; ${hint}`);
  const host = parts.host;
  if (!host) throw new InputError(`${where}: '${shown}' names no host; ${hint}`);
  return { url: scheme ? value : keyValueToUrl(parts), parts: { ...parts, host } };
}
