/**
 * `runbook verify <transcript> [--allowed-signers FILE]`: seq without gaps and an
 * unbroken hash chain; with --allowed-signers also `<transcript>.sig` (signature.ts).
 * Exit 0 with a one-line summary; 1 naming the first bad line or a signature that does
 * not match; 2 for a file that is not a transcript (thrown as InputError, printed by the CLI).
 */
import { EXIT } from '../engine/errors.js';
import { verifyTranscript } from '../engine/transcript.js';
import { verifySignature } from '../engine/transcript/signature.js';

export interface VerifyFlags {
  allowedSigners?: string;
}

export async function verify(file: string, flags: VerifyFlags = {}): Promise<number> {
  const result = await verifyTranscript(file);
  if (!result.ok) {
    process.stderr.write(`runbook: ${file}:${result.line}: ${result.reason}; the transcript was altered at or before line ${result.line}\n`);
    return EXIT.failed;
  }
  for (const warning of result.warnings) process.stderr.write(`runbook: warning: ${file}: ${warning}\n`);
  const runs = result.runs.length === 1 ? `run ${result.runs[0]}` : `runs ${result.runs.join(', ')}`;
  let signed = '';
  if (flags.allowedSigners) {
    const signature = await verifySignature(file, flags.allowedSigners);
    if (!signature.ok) {
      process.stderr.write(`runbook: ${signature.reason}\n`);
      return EXIT.failed;
    }
    signed = `; signed by ${signature.signer} (${signature.key})`;
  }
  process.stdout.write(`${file}: ok, ${result.events} events (seq 0-${result.lastSeq}), hash chain intact, ${runs}${signed}\n`);
  return EXIT.ok;
}
