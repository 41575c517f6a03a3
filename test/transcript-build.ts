/**
 * Child processes need plain JavaScript (tsx is not installed). This compiles the
 * transcript module and what it imports into a temporary directory with tsc, so the
 * tests do not depend on the rest of the tree building cleanly at this moment.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** Returns the path of the compiled `engine/transcript.js`. */
export function compileTranscriptModule(): string {
  const out = mkdtempSync(join(tmpdir(), 'runbook-transcript-js-'));
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '--outDir', out, '--rootDir', join(ROOT, 'src'),
      '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022',
      '--strict', '--skipLibCheck', '--types', 'node', '--verbatimModuleSyntax',
      join(ROOT, 'src/engine/transcript.ts'),
    ],
    { cwd: ROOT, stdio: 'pipe' },
  );
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  // The compiled modules import packages (valibot, for the contract check) from the repository's node_modules.
  symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'), 'dir');
  return join(out, 'engine/transcript.js');
}
