/**
 * The console while the database does not answer: the header says so, a SQL cell that
 * could not connect waits with "database unreachable — enter tries again", and enter does,
 * using the database once it is back. Real PostgreSQL (a role at its connection limit), a real pty.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/engine/events.js';
import { freshDatabase, query } from './support/database.js';
import { parseLines, tempDir } from './runner-support.js';
import { KEYS, quitConsole, runWhenAsked, startConsole } from './support/pty.js';

const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('console: a database at its connection limit', () => {
  it('runs the shell cell, says the database is unreachable, and enter tries the SQL cell again once it is back', async () => {
    const admin = await freshDatabase('downpty');
    const role = `down_${randomBytes(3).toString('hex')}`;
    await query(admin, `CREATE ROLE ${role} LOGIN PASSWORD 'limited-pw' CONNECTION LIMIT 0`);
    const url = new URL(admin);
    url.username = role;
    url.password = 'limited-pw';
    const file = join(tempDir(), 'down.md');
    writeFileSync(file, '# Down\n\n## Contain\n\n```sh {name=contain readonly}\necho contained\n```\n\n## Look\n\n```sql {name=look}\nSELECT 41 + 1 AS answer;\n```\n');
    const { tui, transcript } = startConsole(file, { name: 'down', db: url.toString(), cols: 100, rows: 30 });
    try {
      await tui.waitFor('database unreachable', { timeoutMs: 30_000 });
      expect(flat(tui.screen.text())).toContain('SQL cells fail until it answers; the others run');
      await runWhenAsked(tui, /› +1 · contain pending/);
      await runWhenAsked(tui, /› +2 · look pending/);
      await tui.waitFor('database unreachable — enter tries again');
      expect(flat(tui.screen.text())).toContain('53300');
      await query(admin, `ALTER ROLE ${role} CONNECTION LIMIT -1`);
      tui.write(KEYS.enter);
      await tui.waitFor('42');
      await tui.waitFor('enter ends the run');
      // Back: the header no longer says it is unreachable.
      expect(tui.screen.text()).not.toContain('database unreachable');
      expect(await quitConsole(tui)).toBe(0);
    } finally {
      tui.kill();
      await query(admin, `DROP ROLE IF EXISTS ${role}`).catch(() => {});
    }
    const events: RunEvent[] = parseLines(readFileSync(transcript, 'utf8'));
    const finished = events.flatMap((e) => (e.type === 'cell.finished' ? [[e.cell, e.status, e.error?.code ?? '']] : []));
    expect(finished).toEqual([['contain', 'succeeded', ''], ['look', 'failed', '53300'], ['look', 'succeeded', '']]);
    expect(events.filter((e) => e.type === 'operator.decision' && e.cell === 'look').map((e) => (e as { action: string }).action)).toContain('retry');
  }, 90_000);
});
