/**
 * Secrets appear in no form anywhere: a token with a quote and a backslash (escaped by the
 * SQL binder), a secret straddling output chunk boundaries (a few MB, sidecar file),
 * secret-named environment variables no cell names, and connection-string passwords
 * however they are written. Every file a run produces is grepped, and so are stdout and
 * stderr, for every form of every secret and every 8-character fragment of it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { secretForms } from '../src/engine/redact.js';
import { databaseUrl } from './support/database.js';
import { fixture, runCli, tempDir } from './runner-support.js';

/** The forms to look for: the engine's own escapings, JSON-escaped again (transcripts are JSON), and 8-character fragments. */
function needles(secret: string): string[] {
  const forms = secretForms(secret).flatMap((form) => [form, JSON.stringify(form).slice(1, -1)]);
  const fragments: string[] = [];
  for (let i = 0; i + 8 <= secret.length; i++) fragments.push(secret.slice(i, i + 8));
  return [...new Set([...forms, ...fragments])];
}

function leaks(texts: Record<string, string>, secret: string): string[] {
  const found: string[] = [];
  for (const [where, text] of Object.entries(texts)) for (const needle of needles(secret)) if (text.includes(needle)) found.push(`${where}: ${JSON.stringify(needle)}`);
  return found;
}

function everyFile(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

describe('secrets in every form, in every artifact', () => {
  it('a quoted, backslashed token; a secret across chunk boundaries; secret-named environment values', async () => {
    const token = `tok'en\\zz9${randomBytes(6).toString('hex')}`;
    const aws = `aws-${randomBytes(8).toString('hex')}`;
    const pgpassword = `pgpw-${randomBytes(8).toString('hex')}`;
    const dir = tempDir();
    const transcript = join(dir, 'run.jsonl');
    const env = { AWS_SECRET_ACCESS_KEY: aws, PGPASSWORD: pgpassword };
    const args = ['run', fixture('secret-forms.md'), '--yes', '--allow-writes', '--db', databaseUrl(), '--var', `API_TOKEN=${token}`, '--transcript', transcript];
    const plain = await runCli(args, { env });
    expect(plain.code, plain.stderr).toBe(0);
    const json = await runCli([...args.slice(0, -1), join(dir, 'json.jsonl'), '--json'], { env });
    expect(json.code, json.stderr).toBe(0);
    const outputs: Record<string, string> = { 'stdout': plain.stdout, 'stderr': plain.stderr, 'json stdout': json.stdout, 'json stderr': json.stderr };
    for (const format of ['md', 'json', 'cast']) {
      const timeline = await runCli(['timeline', transcript, '--format', format]);
      expect(timeline.code, timeline.stderr).toBe(0);
      outputs[`timeline ${format}`] = timeline.stdout;
    }
    const replay = await runCli(['replay', transcript, '--speed', '0']);
    expect(replay.code, replay.stderr).toBe(0);
    outputs.replay = replay.stdout + replay.stderr;
    const files = everyFile(dir);
    expect(Object.keys(files).some((name) => name.endsWith('.log')), 'the flood spilled to a sidecar').toBe(true);
    const all = { ...files, ...outputs };
    for (const secret of [token, aws, pgpassword]) expect(leaks(all, secret)).toEqual([]);
    // The values were there and were used: masked, not missing.
    expect(files['run.jsonl']).toContain('token=********');
    expect(files['run.jsonl']).toContain(`AWS_SECRET_ACCESS_KEY=********`);
    expect(files['run.jsonl']).toContain(`"rows":[["********","${token.length}"]]`);
    const sidecar = Object.entries(files).find(([name]) => name.endsWith('.log'))![1];
    expect(sidecar.split('********').length - 1 + (files['run.jsonl']!.match(/x\*{8}x/g)?.length ?? 0)).toBeGreaterThanOrEqual(40);
  });

  const schemeless = (pw: string) => `runbook:${pw}@127.0.0.1:1/db`;
  it.each([
    ['an unencoded @ in the password', (pw: string) => `postgres://runbook:${pw}@x@127.0.0.1:1/db`],
    ['a space in the password', (pw: string) => `postgres://runbook:${pw} x@127.0.0.1:1/db`],
    ['?password= in the query', (pw: string) => `postgres://runbook@127.0.0.1:1/db?password=${pw}`],
    ['a libpq key/value string', (pw: string) => `host=127.0.0.1 port=1 user=runbook password=${pw} dbname=db`],
    ['a quoted key/value password', (pw: string) => `host=127.0.0.1 port=1 user=runbook password='${pw} q' dbname=db`],
    ['a URL without a scheme', schemeless],
  ])('masks the password of %s in every line and file', async (_form, build) => {
    const password = `pw${randomBytes(6).toString('hex')}`;
    const dir = tempDir();
    const runbook = fixture('secret-forms.md');
    const result = await runCli(['run', runbook, '--yes', '--only', 'sql-token', '--var', 'API_TOKEN=t0ken-value', '--db', build(password), '--transcript', join(dir, 't.jsonl')]);
    // The database does not answer: the SQL cell fails with the reason (exit 1); a URL the driver cannot read is refused (exit 2).
    expect(result.code, result.stderr).toBe(build === schemeless ? 2 : 1);
    expect(result.stderr.trim().split('\n').length, result.stderr).toBeLessThanOrEqual(2);
    expect(leaks({ stdout: result.stdout, stderr: result.stderr, ...everyFile(dir) }, password)).toEqual([]);
  });
});
