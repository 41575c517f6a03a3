/**
 * `runbook verify <transcript>`: seq without gaps and an unbroken hash chain.
 * Exit 0 with a one-line summary; 1 naming the first bad line; 2 for a file that is
 * not a transcript (thrown as InputError, printed by the CLI).
 */
import { EXIT } from '../engine/errors.js';
import { verifyTranscript } from '../engine/transcript.js';

export async function verify(file: string): Promise<number> {
  const result = await verifyTranscript(file);
  if (!result.ok) {
    process.stderr.write(`runbook: ${file}:${result.line}: ${result.reason}; the transcript was altered at or before line ${result.line}\n`);
    return EXIT.failed;
  }
  for (const warning of result.warnings) process.stderr.write(`runbook: warning: ${file}: ${warning}\n`);
  const runs = result.runs.length === 1 ? `run ${result.runs[0]}` : `runs ${result.runs.join(', ')}`;
  process.stdout.write(`${file}: ok, ${result.events} events (seq 0-${result.lastSeq}), hash chain intact, ${runs}\n`);
  return EXIT.ok;
}
