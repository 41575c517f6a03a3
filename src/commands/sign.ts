/**
 * `runbook sign <transcript> --key <ssh private key>`: signs the record's last seq and hash
 * with `ssh-keygen -Y sign -n runbook` into `<transcript>.sig`. Refuses a broken chain
 * (exit 1) and a transcript a run is still writing (exit 2); changes nothing when it refuses.
 */
import { InputError } from '../engine/errors.js';
import { EXIT } from './exit.js';
import { signTranscript } from '../engine/transcript/signature.js';

export interface SignFlags {
  key?: string;
}

export async function sign(transcriptPath: string, flags: SignFlags): Promise<number> {
  if (!flags.key) throw new InputError('runbook sign needs --key <ssh private key>, e.g. --key ~/.ssh/id_ed25519');
  const signed = await signTranscript(transcriptPath, flags.key);
  process.stdout.write(`${signed.path}: signed seq 0-${signed.lastSeq} (last hash ${signed.lastHash.slice(0, 12)}…) with ${signed.key}\n`);
  return EXIT.ok;
}

/** After a run or resume with --sign-key: sign, and say so on the stream the command uses for such lines. */
export async function signAfterRun(transcriptPath: string, key: string, info: (line: string) => void): Promise<boolean> {
  try {
    const signed = await signTranscript(transcriptPath, key);
    info(`signed: ${signed.path} (seq 0-${signed.lastSeq}, ${signed.key})`);
    return true;
  } catch (error) {
    process.stderr.write(`runbook: the run ended but was not signed: ${(error as Error).message}\n`);
    return false;
  }
}
