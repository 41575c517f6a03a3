/**
 * Masking that neither leaks nor over-masks: a URL without a password keeps its user; a
 * secret-named environment value shaped like a path (about 1 in 120 AWS secret keys starts
 * with `/`) is masked unless the name or the file system says it is a path; `list --json`
 * never prints a secret variable's default.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLines, runCli, tempDir } from './runner-support.js';

const AWS_KEY = '/K7MDENGbPxRfiCYEXAMPLEKEY/wJalrXUtnFEMI';

function runbook(): string {
  const file = join(tempDir('runbook-secrets3-'), 's.md');
  writeFileSync(file, [
    '---', 'variables:', '  API_TOKEN:', '    default: "tok-abcdef-123"', '---', '# S', '',
    '## Q', '', '```sql {name=q}', 'SELECT 1;', '```', '',
    '## E', '', '```sh {name=e}', 'echo "key=$AWS_SECRET_ACCESS_KEY path=$SSH_KEY_PATH"', '```', '',
  ].join('\n'));
  return file;
}

describe('masking, round 3', () => {
  it('a URL without a password keeps its user name (header and transcript)', async () => {
    const file = runbook();
    const transcript = join(tempDir(), 't.jsonl');
    const result = await runCli(['run', file, '--dry-run', '--db', 'postgres://oncall@127.0.0.1:9/d', '--var', 'API_TOKEN=x', '--transcript', transcript]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('postgres://oncall@127.0.0.1:9/d');
    const started = parseLines(readFileSync(transcript, 'utf8')).find((e) => e.type === 'run.started') as { target: { url: string } };
    expect(started.target.url).toBe('postgres://oncall@127.0.0.1:9/d');
  });

  it('a secret-named value shaped like a path is masked; a real path under a *_PATH name is not', async () => {
    const file = runbook();
    const transcript = join(tempDir(), 't.jsonl');
    const env = { AWS_SECRET_ACCESS_KEY: AWS_KEY, SSH_KEY_PATH: '/tmp' };
    const result = await runCli(['run', file, '--yes', '--allow-writes', '--only', 'e', '--var', 'API_TOKEN=x', '--transcript', transcript], { env });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('key=******** path=/tmp');
    expect(readFileSync(transcript, 'utf8')).not.toContain('K7MDENG');
  });

  it('list --json prints a secret variable without its default', async () => {
    const result = await runCli(['list', '--json', runbook()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('tok-abcdef-123');
    expect(JSON.parse(result.stdout).variables).toEqual([{ name: 'API_TOKEN', default: '********' }]);
  });
});
