/**
 * One database per seed file in the sandbox cluster: `dragonfly.sandbox.sql` seeds the
 * `dragonfly` database. Seeding runs the file as one script (it may create roles, schemas,
 * tables, rows); the roles its sessions log in as get the sandbox's local password.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';
import pg from 'pg';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseSessions, type SessionSpec } from './sessions.js';

export const DEFAULT_DATABASE = 'sandbox';

export interface Seed {
  file: string;
  database: string;
  text: string;
  /** Size and sha256 of the file's bytes: what the operator confirms (see seed-review.ts). */
  bytes: number;
  sha256: string;
  sessions: SessionSpec[];
}

/** `runbooks/dragonfly.sandbox.sql` → `dragonfly`. */
export function databaseNameFor(seedFile: string | undefined): string {
  if (!seedFile) return DEFAULT_DATABASE;
  const stem = basename(seedFile).replace(/(\.sandbox)?\.sql$/i, '');
  const name = stem.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  if (!name) return DEFAULT_DATABASE;
  return /^[a-z_]/.test(name) ? name.slice(0, 63) : `db_${name}`.slice(0, 63);
}

export function readSeed(file: string): Seed {
  let content: Buffer;
  try {
    content = readFileSync(file);
  } catch (error) {
    throw new InputError(`sandbox: cannot read seed file ${file}: ${(error as Error).message}`);
  }
  const text = content.toString('utf8');
  const sha256 = createHash('sha256').update(content).digest('hex');
  return { file, database: databaseNameFor(file), text, bytes: content.length, sha256, sessions: parseSessions(text, file) };
}

export interface Connection {
  host: string;
  port: number;
  user: string;
  password: string;
}

async function withClient<T>(connection: Connection, database: string, action: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...connection, database, application_name: 'runbook-sandbox' });
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}

/** Drops (forcing sessions out) and recreates the database, then runs the seed in it. */
export async function createSeededDatabase(connection: Connection, name: string, seed: Seed | undefined): Promise<void> {
  await withClient(connection, 'postgres', async (client) => {
    const quoted = client.escapeIdentifier(name);
    await client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${quoted}`);
  });
  if (!seed) return;
  await withClient(connection, name, async (client) => {
    try {
      await client.query(seed.text);
    } catch (error) {
      const position = (error as { position?: string }).position;
      const where = position ? `:${lineAt(seed.text, Number(position))}` : '';
      // The seed is the runbook author's SQL: a mistake in it is bad input (one line, exit 2), not a crash.
      throw new InputError(`sandbox: seed ${seed.file}${where} failed: ${(error as Error).message}; fix the seed file (or remove it to start the sandbox empty)`);
    }
    // The sessions log in with the sandbox's local password.
    for (const role of new Set(seed.sessions.map((s) => s.role))) {
      await client.query(`ALTER ROLE ${client.escapeIdentifier(role)} WITH LOGIN PASSWORD ${client.escapeLiteral(connection.password)}`);
    }
  });
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, Math.max(0, offset - 1)).split('\n').length;
}
