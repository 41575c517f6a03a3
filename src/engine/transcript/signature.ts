/**
 * A key for the chain: OpenSSH signatures over a transcript's end, the mechanism git uses
 * for signed commits (`ssh-keygen -Y sign|verify`, namespace `runbook`). The signed
 * message names the last seq and its hash (`runbook transcript seq 22 hash 5d1c…`, one
 * line): the hash covers every line before it, and the seq binds where the record ends,
 * so a signature over an earlier prefix cannot pass for a longer file. What a signature
 * covers is also written after its armour (`runbook-signed: seq 22 hash 5d1c…`; ssh-keygen
 * ignores it) so verify can say what it claims; the claim counts only once ssh-keygen has
 * verified it. Every signature is also kept as `<transcript>.seq-N.sig`, so a file cut back
 * to an earlier signed end is caught by the newer signature left beside it. By hand:
 *
 *   printf 'runbook transcript seq %s hash %s\n' $(tail -n1 t.jsonl | jq -r '.seq, .hash') |
 *     ssh-keygen -Y verify -f allowed_signers -I alice -n runbook -s t.jsonl.sig
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CheckFailedError, InputError } from '../errors.js';
import { acquireLock } from './lock.js';
import { scanChainSync } from './verify.js';

export const SIGNATURE_NAMESPACE = 'runbook';

export function signaturePathFor(transcriptPath: string): string {
  return `${transcriptPath}.sig`;
}

function keptSignaturePath(transcriptPath: string, seq: number): string {
  return `${transcriptPath}.seq-${seq}.sig`;
}

/** The one line a signature signs: where the record ends, and the hash there. */
export function signedMessage(seq: number, hash: string): string {
  return `runbook transcript seq ${seq} hash ${hash}\n`;
}

const CLAIM = /^runbook-signed: seq (\d+) hash ([0-9a-f]{64})$/m;

export interface Signed {
  path: string;
  lastSeq: number;
  lastHash: string;
  /** `ED25519 key SHA256:…`, from `ssh-keygen -l`. */
  key: string;
}

export type SignatureCheck =
  | { ok: true; signer: string; key: string; path: string; note?: string }
  | { ok: false; reason: string; path: string };

/**
 * Signs the transcript's last seq and hash into `<transcript>.sig` and
 * `<transcript>.seq-N.sig` (each replaced atomically). Refuses a transcript whose chain
 * does not verify, or one a run is still writing.
 */
export async function signTranscript(transcriptPath: string, keyPath: string): Promise<Signed> {
  requireKey(keyPath);
  const lock = acquireLock(transcriptPath);
  try {
    const { lastSeq, lastHash } = verifiedEnd(transcriptPath);
    const { stdout } = await sshKeygen(['-Y', 'sign', '-f', keyPath, '-n', SIGNATURE_NAMESPACE], signedMessage(lastSeq, lastHash), `sign ${transcriptPath} with ${keyPath}`);
    const text = `${stdout}runbook-signed: seq ${lastSeq} hash ${lastHash}\n`;
    const path = signaturePathFor(transcriptPath);
    for (const target of [keptSignaturePath(transcriptPath, lastSeq), path]) {
      // An unguessable name, created new (O_EXCL): nobody can plant a file or a link there first.
      const staging = `${target}.${randomBytes(12).toString('hex')}.tmp`;
      writeFileSync(staging, text, { flag: 'wx', mode: 0o644 });
      renameSync(staging, target);
    }
    return { path, lastSeq, lastHash, key: await fingerprint(keyPath) };
  } finally {
    lock.release();
  }
}

/**
 * Without any key: the signatures beside a transcript say how far it was signed. One that
 * claims a seq past the file's end means the file was cut back (a resumed part, or the
 * end of the run, is gone). The claims are not checked here; with a key they are.
 */
export function signedExtentProblem(transcriptPath: string, lastSeq: number): string | undefined {
  const newest = newestSignature(transcriptPath);
  if (!newest || newest.seq <= lastSeq) return undefined;
  return cutMessage(transcriptPath, lastSeq, newest);
}

/**
 * Checks `<transcript>.sig` against an allowed-signers file: that it is good, that it covers
 * exactly where the file ends, and that no newer signature beside it covers more.
 */
export async function verifySignature(transcriptPath: string, allowedSigners: string): Promise<SignatureCheck> {
  if (!existsSync(allowedSigners)) {
    throw new InputError(`allowed signers file ${allowedSigners} not found; give a file of "<principal> <public key>" lines (ssh-keygen ALLOWED SIGNERS)`);
  }
  const path = signaturePathFor(transcriptPath);
  const { lastSeq, lastHash } = verifiedEnd(transcriptPath);
  const newest = newestSignature(transcriptPath);
  if (newest && newest.seq > lastSeq) {
    const check = await checkClaim(newest.path, newest.seq, newest.hash, allowedSigners);
    // A planted file that no allowed key made proves nothing either way; still, say so and fail.
    const by = check.ok ? `by ${check.principal}` : newest.hash === undefined ? 'an older signature, which does not say its hash' : 'not a good signature by an allowed signer';
    return { ok: false, path, reason: `${cutMessage(transcriptPath, lastSeq, newest)} (${basename(newest.path)}: ${by})` };
  }
  if (!existsSync(path)) return { ok: false, path, reason: `no signature ${path}; sign the transcript with: runbook sign ${transcriptPath} --key <ssh key>` };
  const claim = CLAIM.exec(readFileSync(path, 'utf8'));
  if (!claim) {
    // Signed by an earlier runbook: the message was the last hash alone.
    const check = await checkClaim(path, undefined, lastHash, allowedSigners);
    if (!check.ok) return { ok: false, path, reason: check.reason ?? `${path} (by ${check.principal}) does not sign this transcript's last hash: the record was changed and re-hashed, or appended to, after it was signed` };
    return { ok: true, path, signer: check.principal, key: check.key, note: 'an older signature that covers the last hash only, not where the record ends' };
  }
  const seq = Number(claim[1]);
  const hash = claim[2] ?? '';
  const check = await checkClaim(path, seq, hash, allowedSigners);
  if (!check.ok) {
    return { ok: false, path, reason: check.reason ?? `${path} (by ${check.principal}) does not sign what it says it covers (seq ${seq}): the signature file was edited, or the record was changed and re-hashed after it was signed` };
  }
  if (seq > lastSeq) return { ok: false, path, reason: cutMessage(transcriptPath, lastSeq, { path, seq, hash }) };
  const there = hashAtSeq(transcriptPath, seq);
  if (there !== hash) {
    return {
      ok: false,
      path,
      reason: `${path} (by ${check.principal}) does not sign this transcript: it signs seq ${seq} with hash ${hash.slice(0, 12)}…, the file has ${there?.slice(0, 12) ?? 'nothing'}… there; the record was changed and re-hashed after it was signed`,
    };
  }
  if (seq < lastSeq) {
    return { ok: false, path, reason: `${path} (by ${check.principal}) is signed up to seq ${seq}; the file goes on past it unsigned to seq ${lastSeq} (appended to after signing: sign it again with runbook sign)` };
  }
  return { ok: true, path, signer: check.principal, key: check.key };
}

interface FoundSignature {
  path: string;
  seq: number;
  hash: string | undefined;
}

/** The signature beside the transcript that claims the highest seq: `.sig` by its claim, `.seq-N.sig` by its name. */
function newestSignature(transcriptPath: string): FoundSignature | undefined {
  const found: FoundSignature[] = [];
  const sig = signaturePathFor(transcriptPath);
  const claimOf = (path: string) => {
    try {
      return CLAIM.exec(readFileSync(path, 'utf8').slice(0, 4096));
    } catch {
      return null;
    }
  };
  const own = existsSync(sig) ? claimOf(sig) : null;
  if (own) found.push({ path: sig, seq: Number(own[1]), hash: own[2] });
  const prefix = `${basename(transcriptPath)}.seq-`;
  let names: string[] = [];
  try {
    names = readdirSync(dirname(transcriptPath));
  } catch {
    names = [];
  }
  for (const name of names) {
    const match = name.startsWith(prefix) ? /^(\d+)\.sig$/.exec(name.slice(prefix.length)) : null;
    if (!match) continue;
    const path = join(dirname(transcriptPath), name);
    const claim = claimOf(path);
    found.push({ path, seq: Number(match[1]), hash: claim && Number(claim[1]) === Number(match[1]) ? claim[2] : undefined });
  }
  return found.sort((a, b) => b.seq - a.seq)[0];
}

function cutMessage(transcriptPath: string, lastSeq: number, newest: FoundSignature): string {
  return `${transcriptPath} ends at seq ${lastSeq} before the newest signature beside it, ${newest.path}, which covers seq ${newest.seq}: the record was cut back (a resumed part or the run's end is missing)`;
}

type ClaimCheck = { ok: true; principal: string; key: string } | { ok: false; principal?: string; reason?: string };

/** ssh-keygen's word on one signature file over one message (the new form with a seq, the old with the hash alone). */
async function checkClaim(path: string, seq: number | undefined, hash: string | undefined, allowedSigners: string): Promise<ClaimCheck> {
  const found = await sshKeygen(['-Y', 'find-principals', '-s', path, '-f', allowedSigners], '', 'find the signer', true);
  const principal = found.code === 0 ? found.stdout.split('\n')[0]?.trim() : undefined;
  if (!principal) return { ok: false, reason: `the key that made ${path} is not in ${allowedSigners} (or the file is not an SSH signature)` };
  if (hash === undefined) return { ok: false, principal, reason: `${path} (by ${principal}) does not say what it covers` };
  const message = seq === undefined ? `${hash}\n` : signedMessage(seq, hash);
  const checked = await sshKeygen(['-Y', 'verify', '-f', allowedSigners, '-I', principal, '-n', SIGNATURE_NAMESPACE, '-s', path], message, 'verify the signature', true);
  if (checked.code !== 0) return { ok: false, principal };
  const key = /with (.+)$/m.exec(checked.stdout + checked.stderr)?.[1]?.trim() ?? 'its key';
  return { ok: true, principal, key };
}

/** The hash of the line at `seq` (the chain is verified first, so line N is seq N). */
function hashAtSeq(transcriptPath: string, seq: number): string | undefined {
  const line = readFileSync(transcriptPath, 'utf8').split('\n')[seq];
  return line ? /"hash":"([0-9a-f]{64})"\}\s*$/.exec(line)?.[1] : undefined;
}

/**
 * A resumed run appends to a signed transcript, after which the signature no longer
 * covers its end. The old one is kept beside it, named for the seq it covers (it still
 * signs that prefix), and `<transcript>.sig` is gone until the run is signed again.
 */
export function retireSignature(transcriptPath: string, lastSeq: number): string | undefined {
  const path = signaturePathFor(transcriptPath);
  if (!existsSync(path)) return undefined;
  const kept = keptSignaturePath(transcriptPath, lastSeq);
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
