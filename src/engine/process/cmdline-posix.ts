/**
 * Secrets typed on the command line (`--var API_TOKEN=…`, a password in `--db`) sit in the
 * process's original argument memory, which every local user reads in /proc/<pid>/cmdline
 * (`ps aux`) for as long as the process lives. This overwrites them there, in place, with
 * asterisks of the same byte length: the arguments keep their number and their separators,
 * and only the secret bytes change. (Node keeps its own copy of argv, so process.argv and
 * the options parsed from it are untouched.)
 *
 * Linux: the bytes are written through /proc/self/mem at the argument area's address
 * (arg_start in /proc/self/stat), after checking that the memory there is what cmdline
 * shows. Where that write is refused, Node's process.title does it instead: libuv copies the
 * title over the same area, at most its length less one, so the masked line (NULs as spaces,
 * exactly one byte shorter) fits; the process name it also sets (comm) is put back. Other
 * systems: not done (`unsupported`), and the README says to pass secrets another way there.
 */
import { closeSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { platform } from 'node:os';

export type HideResult = 'hidden' | 'nothing' | 'unsupported' | 'failed';

/** Masks every occurrence of each secret in this process's command line as /proc shows it. */
export function hideFromCommandLine(secrets: readonly string[], options: { through?: 'memory' | 'title' } = {}): HideResult {
  if (platform() !== 'linux') return 'unsupported';
  let original: Buffer;
  try {
    original = readFileSync('/proc/self/cmdline');
  } catch {
    return 'unsupported';
  }
  const masked = maskedCopy(original, secrets);
  if (!masked) return 'nothing';
  if (options.through !== 'title' && writeArgumentArea(original, masked) && clean(secrets)) return 'hidden';
  if (options.through === 'memory') return 'failed';
  retitle(masked);
  return clean(secrets) ? 'hidden' : 'failed';
}

/** The command line with each secret's bytes turned into `*`; undefined when none occurs. */
function maskedCopy(original: Buffer, secrets: readonly string[]): Buffer | undefined {
  const copy = Buffer.from(original);
  let changed = false;
  for (const secret of secrets) {
    const needle = Buffer.from(secret, 'utf8');
    if (needle.length === 0) continue;
    for (let at = copy.indexOf(needle); at >= 0; at = copy.indexOf(needle, at + needle.length)) {
      copy.fill(0x2a, at, at + needle.length);
      changed = true;
    }
  }
  return changed ? copy : undefined;
}

/** Writes `masked` over the argument area, only if that memory holds exactly `original`. */
function writeArgumentArea(original: Buffer, masked: Buffer): boolean {
  let fd: number | undefined;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after `pid (comm)`; comm may hold spaces and parentheses. arg_start is field 48.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = Number(fields[45]);
    const end = Number(fields[46]);
    if (!Number.isSafeInteger(start) || start <= 0 || end - start !== original.length) return false;
    fd = openSync('/proc/self/mem', 'r+');
    const now = Buffer.alloc(original.length);
    if (readSync(fd, now, 0, now.length, start) !== now.length || !now.equals(original)) return false;
    return writeSync(fd, masked, 0, masked.length, start) === masked.length;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The fallback: the masked line as the process title, and the process name as it was. */
function retitle(masked: Buffer): void {
  let name: string | undefined;
  try {
    name = readFileSync('/proc/self/comm', 'utf8').trim();
  } catch {
    name = undefined;
  }
  // One byte shorter than the area (its last NUL dropped): libuv copies at most that much.
  process.title = masked.subarray(0, Math.max(0, masked.length - 1)).toString('utf8').replaceAll('\0', ' ');
  try {
    if (name) writeFileSync('/proc/self/comm', name);
  } catch {
    // The name shows as the title's first 15 bytes; nothing secret is in it any more.
  }
}

function clean(secrets: readonly string[]): boolean {
  try {
    const now = readFileSync('/proc/self/cmdline');
    return secrets.every((secret) => secret.length === 0 || !now.includes(Buffer.from(secret, 'utf8')));
  } catch {
    return false;
  }
}
