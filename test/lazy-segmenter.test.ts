/**
 * No Intl.Segmenter is made at start (its ICU data costs ~13 ms): a run whose text is all
 * ASCII makes none at all (scripts/bundle.mjs makes the packages' top-level ones lazy,
 * src/renderers/text/width.ts its own). Before, the CLI failed at once under this guard
 * (string-width made one as it loaded). Text that needs one still gets it: the width and
 * table tests (wide, combining and emoji text) run through the same code.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './runner-support.js';

const NO_SEGMENTER = { NODE_OPTIONS: `--require ${join(ROOT, 'test', 'fixtures', 'no-segmenter.cjs')}` };
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function runbookWith(body: string): { runbook: string; transcript: string } {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-segmenter-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'r.md'), `# Segments\n\n\`\`\`sh\n${body}\n\`\`\`\n`);
  return { runbook: join(dir, 'r.md'), transcript: join(dir, 't.jsonl') };
}

describe('Intl.Segmenter, made only when text needs it', () => {
  it('a plain run of ASCII output makes none', async () => {
    const { runbook, transcript } = runbookWith('echo plain text');
    const result = await runCli(['run', runbook, '--yes', '--transcript', transcript], { env: NO_SEGMENTER });
    expect(result.stderr).not.toContain('Segmenter');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('plain text');
  }, 60_000);
});
