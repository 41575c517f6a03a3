/** Helpers for tests that need the shared real PostgreSQL started by global-setup. */
import { inject } from 'vitest';
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export function databaseUrl(): string {
  return inject('databaseUrl');
}

/** A fresh, empty database on the shared server; its URL. Keeps tests from seeing each other. */
export async function freshDatabase(prefix = 't'): Promise<string> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs one query on a URL and returns the rows. */
export async function query<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
