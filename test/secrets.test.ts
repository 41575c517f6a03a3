/**
 * Secrets never leave the process: a URL password and secret variables are grepped for in
 * every file a run produces (transcript, sidecars) and in stdout/stderr.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseUrl } from './support/database.js';
import { fixture, parseLines, runCli, tempDir } from './runner-support.js';

describe('secrets', () => {
  for (const json of [false, true]) {
    it(`appear in no produced file and not on stdout/stderr${json ? ' (--json)' : ''}`, async () => {
      const url = databaseUrl();
      const password = decodeURIComponent(new URL(url).password);
      expect(password.length).toBeGreaterThan(3);
      const token = 'tok-4f1e9c2b7a';
      const note = 'quiet-n0te-77';
      const dir = tempDir();
      const transcript = join(dir, 'secrets.jsonl');
      const result = await runCli(
        ['run', fixture('secrets.md'), '--yes', '--allow-writes', '--keep-going', '--db', url, '--var', `API_TOKEN=${token}`, '--transcript', transcript, ...(json ? ['--json'] : [])],
        { env: { note } },
      );
      expect(result.code, result.stderr).toBe(1);
      const files = readdirSync(dir).map((name) => join(dir, name));
      expect(files.some((f) => f.endsWith('.log'))).toBe(true);
      const everything = [result.stdout, result.stderr, ...files.map((f) => readFileSync(f, 'utf8'))];
      for (const secret of [password, token, note]) {
        for (const text of everything) expect(text.includes(secret), `secret found`).toBe(false);
      }
      const events = parseLines(readFileSync(transcript, 'utf8'));
      // The values were used (masked), and the record says they were given.
      expect(events.filter((e) => e.type === 'variable.bound').map((e) => [e.name, e.secret, 'value' in e])).toEqual(
        expect.arrayContaining([['API_TOKEN', true, false], ['note', true, false]]),
      );
      expect(events.find((e) => e.type === 'sql.result' && e.cell === 'select-token')).toMatchObject({ rows: [['********', '********', 'postgres']] });
      expect(events.find((e) => e.type === 'cell.finished' && e.cell === 'fails-with-secret')).toMatchObject({ status: 'failed', error: { code: '22P02' } });
      expect(events.filter((e) => e.type === 'cell.output.spilled').length).toBeGreaterThan(0);
      expect(result.stdout + readFileSync(transcript, 'utf8')).toContain('token=********');
    });
  }
});
