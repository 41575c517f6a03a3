/**
 * A bug in runbook, not in the input (changesets' InternalError): the user gets one line
 * that says so, with the version and where the detail went, and exit 70 (EXIT.internal);
 * the stack goes into a file for the bug report, never onto the terminal of someone in the
 * middle of an incident. Secrets among the arguments (and any URL password) are masked in
 * both; the arguments themselves are not written, only the command's name.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedactor } from '../engine/redact.js';
import { showControls } from '../renderers/text/visible.js';
import { VERSION } from '../version.js';
import { EXIT } from './exit.js';
import { argumentSecrets } from './hide-arguments.js';

export interface InternalErrorOptions {
  argv?: readonly string[];
  /** Where the detail file goes; default: the system's temporary directory. */
  dir?: string;
  write?: (text: string) => void;
  now?: Date;
}

/** Writes the detail file and the one line; returns the exit code. Never throws. */
export function reportInternalError(error: unknown, options: InternalErrorOptions = {}): number {
  const argv = options.argv ?? [];
  let mask: (text: string) => string;
  try {
    mask = createRedactor(argumentSecrets(argv));
  } catch {
    mask = (text) => text;
  }
  const message = showControls(mask(firstLine(error))) || 'unknown error';
  const where = writeDetail(error, argv, options, mask);
  const detail = where.path ? `the detail is in ${where.path}` : `the detail could not be written (${where.problem})`;
  const line = `runbook: internal error: ${message}. This is a bug in runbook ${VERSION}, not in your input; please report it with the command you ran, and ${detail}`;
  (options.write ?? ((text) => process.stderr.write(text)))(`${line}\n`);
  return EXIT.internal;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.trim() ?? '';
}

function writeDetail(error: unknown, argv: readonly string[], options: InternalErrorOptions, mask: (text: string) => string): { path?: string; problem?: string } {
  const now = options.now ?? new Date();
  const path = join(options.dir ?? tmpdir(), `runbook-internal-error-${now.toISOString().replace(/[:.]/g, '-')}-${process.pid}.txt`);
  const lines = [
    `runbook ${VERSION}, node ${process.version}, ${process.platform} ${process.arch}`,
    `command: runbook ${argv[0] ?? ''} (arguments not recorded: they may hold values)`,
    `at: ${now.toISOString()}`,
    '',
    ...chain(error).map((text) => mask(text)),
  ];
  try {
    // wx: never follow or overwrite a file someone put at that name; 0600: the detail is the user's.
    writeFileSync(path, `${lines.join('\n')}\n`, { flag: 'wx', mode: 0o600 });
    return { path };
  } catch (failure) {
    return { problem: (failure as Error).message };
  }
}

/** The error's stack, then each cause's. */
function chain(error: unknown): string[] {
  const out: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth += 1) {
    out.push(depth === 0 ? '' : 'caused by:', current instanceof Error ? (current.stack ?? current.message) : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return out.filter((text, i) => i > 0 || text);
}
