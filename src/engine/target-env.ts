/**
 * The run's target as shell and PowerShell cells see it: one target, in every name a tool
 * reads it from. `DATABASE_URL`, the variable the frontmatter's `database:` names
 * (`SUPABASE_DB_URL`), and libpq's own `PGHOST`/`PGPORT`/`PGDATABASE`/`PGUSER` with the
 * password in a 0600 `PGPASSFILE` (never in the environment, where `ps e` shows it), so a
 * bare `psql` reaches the target as on any machine configured for it. The libpq names that
 * would send a bare `psql` elsewhere or with another password (`PGHOSTADDR`, `PGSERVICE`,
 * `PGPASSWORD`, which wins over the file) are unset.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConnectionString } from './connection-string.js';
import { ownScratchDir } from './process/scratch.js';
import type { Target } from './target.js';

/** Set to the target's values, or unset when the target has none; never read from elsewhere. */
const LIBPQ = ['PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSFILE', 'PGPASSWORD', 'PGHOSTADDR', 'PGSERVICE'] as const;

export class TargetEnv {
  private dir: string | undefined;
  private values: Record<string, string | undefined> | undefined;

  constructor(private readonly target: Pick<Target, 'url' | 'envVar'>) {}

  /** Every name that says where a cell's database is: the ones a cell is watched for changing. */
  get names(): string[] {
    if (!this.target.url) return [];
    return ['DATABASE_URL', ...(this.target.envVar ? [this.target.envVar] : []), ...LIBPQ];
  }

  /** Name → value, `undefined` for a name that must be unset. Empty without a target. Writes the password file once. */
  entries(): Record<string, string | undefined> {
    if (this.values) return this.values;
    const url = this.target.url;
    if (!url) return (this.values = {});
    const parts = parseConnectionString(url) ?? {};
    const values: Record<string, string | undefined> = Object.fromEntries(LIBPQ.map((name) => [name, undefined]));
    values.DATABASE_URL = url;
    if (this.target.envVar) values[this.target.envVar] = url;
    if (parts.host) values.PGHOST = parts.host;
    if (parts.port) values.PGPORT = parts.port;
    if (parts.database) values.PGDATABASE = parts.database;
    if (parts.user) values.PGUSER = parts.user;
    if (parts.password) values.PGPASSFILE = this.passfile(parts.host, parts.port, parts.user, parts.password);
    return (this.values = values);
  }

  /** Puts the target into `env` (a cell's environment being built). */
  apply(env: Record<string, string>): void {
    for (const [name, value] of Object.entries(this.entries())) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
  }

  /** Removes the password file. */
  close(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.values = undefined;
  }

  /**
   * One line for this server and user, any database on it (`psql -d other` works too); a
   * bare `psql` pointed at another host by a cell gets no password from it.
   */
  private passfile(host = 'localhost', port = '5432', user = '*', password: string): string {
    this.dir ??= ownScratchDir('runbook-pgpass-');
    const file = join(this.dir, 'pgpass');
    // libpq's own rule: a host that is a socket directory matches `localhost`.
    const field = (text: string) => text.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
    const line = [host.startsWith('/') ? 'localhost' : host, port, '*', user, password].map((part, i) => (i === 2 || (i === 3 && part === '*') ? part : field(part))).join(':');
    // libpq ignores a password file others may read.
    writeFileSync(file, `${line}\n`, { mode: 0o600 });
    return file;
  }
}
