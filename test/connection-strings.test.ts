/**
 * One reader for every configured connection string: `--db` and `--log` accept the same
 * forms (a postgres:// URL, a libpq key/value string) and refuse the same ones with the same
 * line, the password masked. Before, `--log 'host=… password=…'` was refused while `--db`
 * took it.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConnectionString } from '../src/engine/connection-string.js';
import { freshLogDatabase, logRows } from './log-support.js';
import { runCli, tempDir } from './runner-support.js';

/** `postgres://u:p@h:port/db` as libpq's key/value string, the password quoted with a space and a quote in it when it has them. */
function keyValue(url: string): string {
  const parts = parseConnectionString(url);
  if (!parts?.host) throw new Error(`not a URL: ${url}`);
  const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return [`host=${parts.host}`, parts.port ? `port=${parts.port}` : '', `user=${parts.user ?? ''}`, `password=${quote(parts.password ?? '')}`, `dbname=${parts.database ?? ''}`].filter(Boolean).join(' ');
}

describe('connection strings', () => {
  it('--log takes the key/value form --db takes, and the run delivers to it', async () => {
    const log = await freshLogDatabase();
    const dir = tempDir('runbook-connstr-');
    const book = join(dir, 'book.md');
    writeFileSync(book, '# Book\n\n```sh\necho delivered\n```\n');
    const result = await runCli(['run', book, '--yes', '--transcript', join(dir, 't.jsonl'), '--log', keyValue(log), '--incident', 'INC-KV']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('log: every event delivered to incident INC-KV');
    expect((await logRows(log, 'INC-KV')).map((row) => row.type)).toContain('cell.finished');
  });

  it('refuses the same strings with the same line for --db and --log, the password masked', async () => {
    const dir = tempDir('runbook-connstr-');
    const book = join(dir, 'book.md');
    writeFileSync(book, '# Book\n\n```sql\nSELECT 1;\n```\n');
    for (const bad of ['mysql://u:secretpw@h/x', 'user=u password=secretpw', 'just words']) {
      const db = await runCli(['run', book, '--yes', '--db', bad, '--transcript', join(dir, 'never.jsonl')]);
      const log = await runCli(['follow', '--log', bad, '--incident', 'I-1']);
      expect(log.code).toBe(2);
      expect(log.stderr).not.toContain('secretpw');
      const reason = (stderr: string) => stderr.replace(/^runbook: [^:]+: /, '');
      expect(reason(log.stderr)).toMatch(/is (a mysql URL, not PostgreSQL|not a PostgreSQL URL)|names no host/);
      expect(db.code).toBe(2);
      expect(reason(db.stderr)).toBe(reason(log.stderr));
      expect(existsSync(join(dir, 'never.jsonl'))).toBe(false);
    }
  });
});
