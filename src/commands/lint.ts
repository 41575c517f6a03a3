/**
 * `runbook lint <file.md>...`: `file:line:col: severity: message (rule)` lines on stdout.
 * Exit 1 when any error is found, 2 when a file cannot be read, 0 otherwise.
 */
import { InputError } from '../engine/errors.js';
import { EXIT } from './exit.js';
import { lintRunbook } from '../engine/lint.js';
import { readRunbookText } from '../engine/markdown/read-file.js';
import { parseRunbookText } from '../engine/parse.js';
import { countOf, diagnosticMessage, shortMessage } from '../renderers/text/message.js';

export async function lint(files: string[]): Promise<number> {
  let errors = 0;
  let warnings = 0;
  let unreadable = 0;
  for (const file of files) {
    let text: string;
    try {
      text = await readRunbookText(file);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      process.stderr.write(`${shortMessage({ reason: error.message, severity: 'error', exitCode: EXIT.usage })}\n`);
      unreadable += 1;
      continue;
    }
    const diagnostics = await lintRunbook(await parseRunbookText(text, file), text);
    for (const diagnostic of diagnostics) {
      process.stdout.write(`${shortMessage(diagnosticMessage(file, diagnostic))}\n`);
      if (diagnostic.severity === 'error') errors += 1;
      else warnings += 1;
    }
  }
  const checked = files.length - unreadable;
  process.stderr.write(`${countOf(checked, 'file')} checked: ${countOf(errors, 'error')}, ${countOf(warnings, 'warning')}\n`);
  if (unreadable > 0) return EXIT.usage;
  return errors > 0 ? EXIT.failed : EXIT.ok;
}
