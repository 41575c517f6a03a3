import { describe, expect, it } from 'vitest';
import { freshDatabase, query } from './support/database.js';

describe('test database', () => {
  it('is a real PostgreSQL server', async () => {
    const url = await freshDatabase();
    const rows = await query<{ version: string }>(url, 'SELECT version()');
    expect(rows[0]?.version).toMatch(/^PostgreSQL \d+/);
  });
});
