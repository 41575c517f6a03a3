/**
 * A secret cut at the very end of a cell's output (`yes "$s" | head -c N` stops anywhere)
 * leaks no prefix: the held-back tail that begins a secret is masked when the stream ends,
 * in the events and in the sidecar file.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLines, runCli, tempDir } from './runner-support.js';

const SECRET = "tok'en\\zz9Secret";

describe('a secret cut at the end of the output', () => {
  it('is masked in the events and in the sidecar', async () => {
    const dir = tempDir('runbook-stream-end-');
    writeFileSync(join(dir, 'cut.md'), [
      '# Cut', '', '## Short', '', '```sh {name=short readonly}', 'printf \'end: %s\' "${RB_SECRET_TOKEN:0:10}"', '```', '',
      '## Long', '', '```sh {name=long readonly}', 'yes "$RB_SECRET_TOKEN" | head -c 3000006 || true', '```', '',
    ].join('\n'));
    const transcript = join(dir, 'cut.jsonl');
    const result = await runCli(['run', 'cut.md', '--yes', '--transcript', transcript], { cwd: dir, env: { RB_SECRET_TOKEN: SECRET } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    const short = events.filter((e) => e.type === 'cell.output' && (e as { cell: string }).cell === 'short').map((e) => (e as { data: string }).data).join('');
    expect(short).toBe('end: ********');
    const sidecar = readdirSync(dir).find((name) => name.endsWith('.long.1.stdout.log'))!;
    const text = readFileSync(join(dir, sidecar), 'utf8');
    // 3,000,006 bytes = 176,470 whole secrets and a newline each, then 6 bytes of the next one.
    expect(text.endsWith('********\n********')).toBe(true);
    expect(text).not.toContain("tok'en");
    expect(result.stdout).not.toContain("tok'en");
  }, 120_000);
});
