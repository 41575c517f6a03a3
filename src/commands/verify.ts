/**
 * `runbook verify <transcript> [--allowed-signers FILE]`: seq without gaps and an
 * unbroken hash chain; with --allowed-signers also `<transcript>.sig` (signature.ts), which
 * must cover exactly where the file ends. A signature beside the file (`.sig` or
 * `.seq-N.sig`) that covers a later seq than the file holds fails it (exit 1) either way.
 * Exit 0 with a one-line summary; 1 naming the first bad line or a signature that does
 * not match; 2 for a file that is not a transcript (thrown as InputError, printed by the
 * CLI) or a line that is not a v1 event; 3 for an intact record whose run never finished
 * (killed, still running, or its tail cut off at a line boundary).
 */
import { InputError } from '../engine/errors.js';
import { EXIT } from './exit.js';
import { verifyTranscript } from '../engine/transcript.js';
import { signedExtentProblem, verifySignature } from '../engine/transcript/signature.js';
import type { VerifyLogFlags } from './verify-log.js';
import { shortMessage } from '../renderers/text/message.js';

export interface VerifyFlags extends VerifyLogFlags {
  allowedSigners?: string;
}

export async function verify(file: string | undefined, flags: VerifyFlags = {}): Promise<number> {
  // The shared log instead of a file (a file named too is the local copy to compare with).
  if (flags.log !== undefined || flags.incident !== undefined || (file === undefined && process.env.RUNBOOK_LOG_URL)) {
    return (await import('./verify-log.js')).verifyLog({ ...flags, transcript: flags.transcript ?? file });
  }
  if (file === undefined) throw new InputError('runbook verify: name a transcript, or the log: runbook verify --log URL --incident ID');
  const result = await verifyTranscript(file);
  if (!result.ok && result.contract) {
    process.stderr.write(`runbook: ${file}:${result.line}: ${result.reason}; not a transcript v1 event (written by hand or by another tool?)\n`);
    return EXIT.usage;
  }
  if (!result.ok) {
    process.stderr.write(`runbook: ${file}:${result.line}: ${result.reason}; the transcript was altered at or before line ${result.line}\n`);
    return EXIT.failed;
  }
  for (const warning of result.warnings) process.stderr.write(`${shortMessage({ file, severity: 'warning', reason: warning })}\n`);
  // Even unkeyed: a signature beside the file that covers more than it holds means it was cut back.
  const cut = signedExtentProblem(file, result.lastSeq);
  if (cut) {
    // With keys, the same finding also says whether an allowed signer made that signature.
    const keyed = flags.allowedSigners ? await verifySignature(file, flags.allowedSigners) : undefined;
    process.stderr.write(`runbook: ${keyed && !keyed.ok ? keyed.reason : cut}\n`);
    return EXIT.failed;
  }
  if (result.unfinished) {
    const { seq, type, cell, ts } = result.unfinished;
    process.stderr.write(
      `runbook: ${file}: run did not finish: last event seq ${seq} (${type}${cell ? `, ${cell}` : ''}) at ${ts}; ` +
        `the chain is intact up to there, but the run was killed, is still running, or the rest of the record was cut off — continue it with: runbook resume ${file}\n`,
    );
    return EXIT.incomplete;
  }
  const runs = result.runs.length === 1 ? `run ${result.runs[0]}` : `runs ${result.runs.join(', ')}`;
  let signed = '';
  if (flags.allowedSigners) {
    const signature = await verifySignature(file, flags.allowedSigners);
    if (!signature.ok) {
      process.stderr.write(`runbook: ${signature.reason}\n`);
      return EXIT.failed;
    }
    signed = `; signed by ${signature.signer} (${signature.key})${signature.note ? ` — ${signature.note}` : ''}`;
  }
  process.stdout.write(`${file}: ok, ${result.events} events (seq 0-${result.lastSeq}), hash chain intact, ${runs}${signed}\n`);
  return EXIT.ok;
}
