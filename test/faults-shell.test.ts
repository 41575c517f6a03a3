/** A cell's own `set -x` traces the cell, never the wrapper's epilogue; its status and state still carry. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLines, runCli, tempDir } from './runner-support.js';

describe.each([['bash', ''], ['sh', ' interpreter=sh']])('set -x in a cell (%s)', (_name, info) => {
  it('shows no `+ __runbook_save`, keeps the exit status, and carries the environment', async () => {
    const dir = tempDir('runbook-xtrace-');
    const runbook = join(dir, 'x.md');
    writeFileSync(runbook, ['# X', '', `\`\`\`sh {name=traced${info}}`, 'set -x', 'FOO=carried', 'echo hi', '```', '', `\`\`\`sh {name=reads${info}}`, 'echo "FOO=$FOO"', '```', ''].join('\n'));
    const transcript = join(dir, 'x.jsonl');
    const result = await runCli(['run', runbook, '--yes', '--transcript', transcript], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    const output = events.filter((e) => e.type === 'cell.output').map((e) => e.data).join('');
    expect(output).toContain('echo hi');
    expect(output).not.toContain('__runbook');
    expect(output).toContain('FOO=carried\n');
  }, 60_000);
});
