/**
 * A key for the chain: OpenSSH signatures over a transcript's last hash, the mechanism
 * git uses for signed commits (`ssh-keygen -Y sign|verify`, namespace `runbook`). The
 * last hash covers every line before it, so signing it signs the whole record; anyone
 * who edits a line and re-hashes the chain changes the last hash and the signature no
 * longer matches. The signed message is the hash as the transcript shows it, with a
 * newline, so it can be checked by hand:
 *
 *   tail -n1 t.jsonl | jq -r .hash | ssh-keygen -Y verify -f allowed_signers -I alice -n runbook -s t.jsonl.sig
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { CheckFailedError, InputError } from '../errors.js';
import { acquireLock } from './lock.js';
import { scanChainSync } from './verify.js';

export const SIGNATURE_NAMESPACE = 'runbook';

export function signaturePathFor(transcriptPath: string): string {
  return `${transcriptPath}.sig`;
}

export interface Signed {
  path: string;
  lastSeq: number;
  lastHash: string;
  /** `ED25519 key SHA256:…`, from `ssh-keygen -l`. */
  key: string;
}

export type SignatureCheck =
  | { ok: true; signer: string; key: string; path: string }
  | { ok: false; reason: string; path: string };

/**
 * Signs the transcript's last hash into `<transcript>.sig` (replaced atomically). Refuses
 * a transcript whose chain does not verify, or one a run is still writing.
 */
export async function signTranscript(transcriptPath: string, keyPath: string): Promise<Signed> {
  requireKey(keyPath);
  const lock = acquireLock(transcriptPath);
  try {
    const { lastSeq, lastHash } = verifiedEnd(transcriptPath);
    const { stdout } = await sshKeygen(['-Y', 'sign', '-f', keyPath, '-n', SIGNATURE_NAMESPACE], `${lastHash}\n`, `sign ${transcriptPath} with ${keyPath}`);
    const path = signaturePathFor(transcriptPath);
    // An unguessable name, created new (O_EXCL): nobody can plant a file or a link there first.
    const staging = `${path}.${randomBytes(12).toString('hex')}.tmp`;
    writeFileSync(staging, stdout, { flag: 'wx', mode: 0o644 });
    renameSync(staging, path);
    return { path, lastSeq, lastHash, key: await fingerprint(keyPath) };
  } finally {
    lock.release();
  }
}

/** Checks `<transcript>.sig` against the transcript's last hash and an allowed-signers file; names the signer. */
export async function verifySignature(transcriptPath: string, allowedSigners: string): Promise<SignatureCheck> {
  if (!existsSync(allowedSigners)) {
    throw new InputError(`allowed signers file ${allowedSigners} not found; give a file of "<principal> <public key>" lines (ssh-keygen ALLOWED SIGNERS)`);
  }
  const path = signaturePathFor(transcriptPath);
  if (!existsSync(path)) return { ok: false, path, reason: `no signature ${path}; sign the transcript with: runbook sign ${transcriptPath} --key <ssh key>` };
  const { lastHash } = verifiedEnd(transcriptPath);
  const found = await sshKeygen(['-Y', 'find-principals', '-s', path, '-f', allowedSigners], '', 'find the signer', true);
  const principal = found.code === 0 ? found.stdout.split('\n')[0]?.trim() : undefined;
  if (!principal) return { ok: false, path, reason: `the key that made ${path} is not in ${allowedSigners} (or the file is not an SSH signature)` };
  const checked = await sshKeygen(
    ['-Y', 'verify', '-f', allowedSigners, '-I', principal, '-n', SIGNATURE_NAMESPACE, '-s', path],
    `${lastHash}\n`,
    'verify the signature',
    true,
  );
  if (checked.code !== 0) {
    return {
      ok: false,
      path,
      reason: `${path} (by ${principal}) does not sign this transcript's last hash: the record was changed and re-hashed, or appended to, after it was signed`,
    };
  }
  const key = /with (.+)$/m.exec(checked.stdout + checked.stderr)?.[1]?.trim() ?? 'its key';
  return { ok: true, path, signer: principal, key };
}

/**
 * A resumed run appends to a signed transcript, after which the signature no longer
 * covers its end. The old one is kept beside it, named for the seq it covers (it still
 * signs that prefix), and `<transcript>.sig` is gone until the run is signed again.
 */
export function retireSignature(transcriptPath: string, lastSeq: number): string | undefined {
  const path = signaturePathFor(transcriptPath);
  if (!existsSync(path)) return undefined;
  const kept = `${transcriptPath}.seq-${lastSeq}.sig`;
  try {
    renameSync(path, kept);
  } catch {
    unlinkSync(path);
    return undefined;
  }
  return kept;
}

/** A key file ssh-keygen can read, checked before anything is run or signed. */
export function requireKey(keyPath: string): void {
  if (!existsSync(keyPath)) throw new InputError(`signing key ${keyPath} not found; give an SSH private key (e.g. ~/.ssh/id_ed25519) with --key / --sign-key`);
  const head = readFileSync(keyPath, 'utf8').slice(0, 200);
  if (!/PRIVATE KEY-----|^ssh-|^ecdsa-/m.test(head)) {
    throw new InputError(`${keyPath} is not an SSH key; give an SSH private key (e.g. ~/.ssh/id_ed25519) with --key / --sign-key`);
  }
}

function verifiedEnd(transcriptPath: string): { lastSeq: number; lastHash: string } {
  const state = scanChainSync(transcriptPath);
  if (!state.result.ok) {
    throw new CheckFailedError(`${transcriptPath}:${state.result.line}: ${state.result.reason}; a transcript whose chain is broken is not signed or trusted`);
  }
  return { lastSeq: state.lastSeq, lastHash: state.lastHash };
}

async function fingerprint(keyPath: string): Promise<string> {
  const { stdout } = await sshKeygen(['-l', '-f', keyPath], '', 'read the key fingerprint', true);
  // `256 SHA256:… comment (ED25519)`
  const match = /^\d+\s+(\S+)\s.*\((\w+)\)\s*$/m.exec(stdout);
  return match ? `${match[2]} key ${match[1]}` : keyPath;
}

interface KeygenResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs ssh-keygen with `input` on stdin. A failure is one line naming what was tried, unless `tolerate`. */
function sshKeygen(args: string[], input: string, what: string, tolerate = false): Promise<KeygenResult> {
  return new Promise((resolve, reject) => {
    const child = execFile('ssh-keygen', args, { encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        reject(new InputError('ssh-keygen not found on PATH; install OpenSSH (8.2 or later) to sign and verify transcripts'));
        return;
      }
      if (code !== 0 && args[0] === '-Y' && /(unknown|illegal|invalid) option -- Y/.test(stderr)) {
        // Windows 10 ships OpenSSH 7.7/8.1, many older servers too: -Y (sign, verify) came in 8.2.
        reject(new InputError('ssh-keygen on PATH is older than OpenSSH 8.2 (it has no -Y, which signing and verifying need); install OpenSSH 8.2 or later'));
        return;
      }
      if (code !== 0 && !tolerate) {
        const said = stderr.trim().split('\n').filter((l) => !/^Signing data on standard input/.test(l)).at(-1) ?? `exit ${code}`;
        reject(new CheckFailedError(`ssh-keygen could not ${what}: ${said}`));
        return;
      }
      resolve({ code, stdout, stderr });
    });
    // Some subcommands (find-principals, -l) never read stdin; their closing it is no error.
    child.stdin?.on('error', () => {});
    child.stdin?.end(input);
  });
}
