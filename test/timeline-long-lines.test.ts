/**
 * Evidence from huge lines: a cell that prints a 2 MB line (no newline, no CR) and a
 * progress line redrawn with CR. The timeline must finish (a scan from every start of the
 * line would take hours here) and show what a terminal would have shown of the redrawn line.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './runner-support.js';

const RUNBOOK = `# Long lines

## Print

\`\`\`sh {name=progress readonly}
printf 'loading 10%%\\rloading 50%%\\rloading done\\n'
\`\`\`

\`\`\`sh {name=huge readonly}
head -c 2000000 /dev/zero | tr '\\0' 'x'
\`\`\`
`;

describe('timeline evidence from huge lines', () => {
  it('finishes on a 2 MB line and keeps the text after the last CR of a redrawn line', async () => {
    const dir = tempDir('runbook-long-lines-');
    const file = join(dir, 'long.md');
    writeFileSync(file, RUNBOOK);
    const transcript = join(dir, 'long.jsonl');
    const run = await runCli(['run', file, '--yes', '--transcript', transcript]);
    expect(run.code, run.stderr).toBe(0);
    const timeline = await runCli(['timeline', transcript, '--format', 'json']);
    expect(timeline.code, timeline.stderr).toBe(0);
    const evidence: string[] = [];
    JSON.stringify(JSON.parse(timeline.stdout), (key, value: unknown) => {
      if (key === 'evidence' && value && typeof value === 'object') evidence.push(...((value as { lines?: string[] }).lines ?? []));
      return value;
    });
    expect(evidence.some((line) => line.startsWith('loading done'))).toBe(true);
    expect(evidence.join('\n')).not.toContain('loading 50%');
  }, 120_000);
});
