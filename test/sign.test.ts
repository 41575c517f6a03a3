/**
 * Signatures over real runs' transcripts: keys made here with the real ssh-keygen, the
 * built CLI, real bash. The tampering test re-hashes the whole chain by hand (without
 * importing src/), exactly what someone holding the file could do.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseLines, runCli, startCli, tempDir } from './runner-support.js';

const RUNBOOK = `# Signed

## Steps

\`\`\`sh {name=look}
echo "JOB_TYPE=send_notice"
\`\`\`

\`\`\`sh {name=wait}
if [ -n "$SLOW_MARK" ] && [ ! -e "$SLOW_MARK" ]; then touch "$SLOW_MARK"; echo waiting; sleep 30; else echo quick; fi
\`\`\`

\`\`\`sh {name=after}
echo after
\`\`\`
`;

// ssh-keygen is part of OpenSSH; where it is missing these tests cannot sign anything.
const hasSshKeygen = (() => {
  try {
    execFileSync('ssh-keygen', ['-?'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
})();

let dir: string;
let file: string;
let key: string;
let allowed: string;
let stranger: string;

function keygen(name: string, comment: string): string {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  return path;
}

beforeAll(() => {
  if (!hasSshKeygen) return;
  dir = tempDir('runbook-sign-');
  file = join(dir, 'signed.md');
  writeFileSync(file, RUNBOOK);
  key = keygen('alice', 'alice@oncall');
  stranger = keygen('mallory', 'mallory@elsewhere');
  allowed = join(dir, 'allowed_signers');
  writeFileSync(allowed, `alice@oncall ${readFileSync(`${key}.pub`, 'utf8')}`);
});

/** Re-hashes every line after an edit, as the chain's format says: sha256(prev + line without its hash). */
function rehash(text: string): string {
  let previous = '';
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const head = line.replace(/,"hash":"[0-9a-f]{64}"\}$/, '');
      previous = createHash('sha256').update(previous).update(`${head}}`).digest('hex');
      return `${head},"hash":"${previous}"}\n`;
    })
    .join('');
}

describe.skipIf(!hasSshKeygen)('runbook run --sign-key and verify --allowed-signers (skipped: no ssh-keygen on PATH)', () => {
  it('signs the transcript when the run ends; verify names the signer', async () => {
    const transcript = join(dir, 'a.jsonl');
    const run = await runCli(['run', file, '--yes', '--transcript', transcript, '--sign-key', key]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/signed: .*a\.jsonl\.sig \(seq 0-\d+, ED25519 key SHA256:/);
    expect(readFileSync(`${transcript}.sig`, 'utf8')).toMatch(/^-----BEGIN SSH SIGNATURE-----/);

    const verified = await runCli(['verify', transcript, '--allowed-signers', allowed]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/hash chain intact, run \S+; signed by alice@oncall \(ED25519 key SHA256:/);

    // The signed message is the last seq and hash: checkable by hand with ssh-keygen alone.
    const last = parseLines(readFileSync(transcript, 'utf8')).at(-1);
    const message = `runbook transcript seq ${last?.seq} hash ${last?.hash}\n`;
    const byHand = execFileSync('ssh-keygen', ['-Y', 'verify', '-f', allowed, '-I', 'alice@oncall', '-n', 'runbook', '-s', `${transcript}.sig`], { input: message });
    expect(byHand.toString()).toContain('Good "runbook" signature for alice@oncall');
    // Kept under its seq too, so a later cut back to an earlier signed end is found.
    expect(readFileSync(`${transcript}.seq-${last?.seq}.sig`, 'utf8')).toBe(readFileSync(`${transcript}.sig`, 'utf8'));
  });

  it('a record changed and re-hashed after signing passes the unkeyed chain check but fails verify --allowed-signers (exit 1)', async () => {
    const transcript = join(dir, 'b.jsonl');
    expect((await runCli(['run', file, '--yes', '--transcript', transcript, '--sign-key', key])).code).toBe(0);
    const forged = rehash(readFileSync(transcript, 'utf8').replace('JOB_TYPE=send_notice', 'JOB_TYPE=harmless'));
    writeFileSync(transcript, forged);

    const chainOnly = await runCli(['verify', transcript]);
    expect(chainOnly.code).toBe(0); // the known limit of an unkeyed chain
    const keyed = await runCli(['verify', transcript, '--allowed-signers', allowed]);
    expect(keyed.code).toBe(1);
    expect(keyed.stderr).toMatch(/^runbook: .*b\.jsonl\.sig \(by alice@oncall\) does not sign this transcript: it signs seq \d+ with hash [0-9a-f]{12}…, the file has [0-9a-f]{12}… there; the record was changed and re-hashed/);
    expect(keyed.stdout).toBe('');

    // Editing what the signature says it covers to match does not help: ssh-keygen refuses it.
    const newHash = parseLines(forged).at(-1)?.hash ?? '';
    writeFileSync(`${transcript}.sig`, readFileSync(`${transcript}.sig`, 'utf8').replace(/hash [0-9a-f]{64}/, `hash ${newHash}`));
    const edited = await runCli(['verify', transcript, '--allowed-signers', allowed]);
    expect(edited.code).toBe(1);
    expect(edited.stderr.trim().split('\n')).toEqual([expect.stringMatching(/b\.jsonl\.sig \(by alice@oncall\) does not sign what it says it covers \(seq \d+\)/)]);
  });

  it('a signature by a key not in the allowed signers fails, and so does a missing signature', async () => {
    const transcript = join(dir, 'c.jsonl');
    expect((await runCli(['run', file, '--yes', '--transcript', transcript])).code).toBe(0);
    const unsigned = await runCli(['verify', transcript, '--allowed-signers', allowed]);
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toMatch(/no signature .*c\.jsonl\.sig; sign the transcript with: runbook sign/);

    const signed = await runCli(['sign', transcript, '--key', stranger]);
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stdout).toMatch(/c\.jsonl\.sig: signed seq 0-\d+ \(last hash [0-9a-f]{12}…\) with ED25519 key SHA256:/);
    const foreign = await runCli(['verify', transcript, '--allowed-signers', allowed]);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/the key that made .*c\.jsonl\.sig is not in .*allowed_signers/);
  });

  it('sign refuses, changing nothing: a broken chain (exit 1), a missing key or transcript (exit 2), no --key (exit 2)', async () => {
    const transcript = join(dir, 'd.jsonl');
    expect((await runCli(['run', file, '--yes', '--transcript', transcript])).code).toBe(0);
    writeFileSync(transcript, readFileSync(transcript, 'utf8').replace('JOB_TYPE=send_notice', 'JOB_TYPE=harmless'));
    const broken = await runCli(['sign', transcript, '--key', key]);
    expect(broken.code).toBe(1);
    expect(broken.stderr.trim().split('\n')).toEqual([expect.stringMatching(/d\.jsonl:\d+: hash does not match the chain .*not signed or trusted/)]);
    expect(existsSync(`${transcript}.sig`)).toBe(false);

    const noKey = await runCli(['sign', transcript, '--key', join(dir, 'nope')]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/^runbook: signing key .*nope not found/);
    expect((await runCli(['sign', transcript])).code).toBe(2);
    expect((await runCli(['sign', join(dir, 'missing.jsonl'), '--key', key])).code).toBe(2);
    expect((await runCli(['verify', transcript, '--allowed-signers', join(dir, 'no-such-file')])).code).toBe(1); // the chain fails first
  });

  it('sign refuses a transcript a run is still writing (exit 2)', async () => {
    const transcript = join(dir, 'live.jsonl');
    const run = startCli(['run', file, '--yes', '--transcript', transcript], { env: { SLOW_MARK: join(dir, 'live.mark') } });
    await run.waitFor(/waiting/);
    const refused = await runCli(['sign', transcript, '--key', key]);
    run.child.kill('SIGINT');
    await run.exited;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^runbook: transcript .*live\.jsonl is in use by process \d+/);
    expect(existsSync(`${transcript}.sig`)).toBe(false);
  }, 60_000);

  it('run --sign-key with a key that is not there refuses before any cell runs', async () => {
    const transcript = join(dir, 'e.jsonl');
    const result = await runCli(['run', file, '--yes', '--transcript', transcript, '--sign-key', join(dir, 'absent')]);
    expect(result.code).toBe(2);
    expect(existsSync(transcript)).toBe(false);
  });
});

describe.skipIf(!hasSshKeygen)('resume and signatures (skipped: no ssh-keygen on PATH)', () => {
  it('resume retires the old signature (kept, still signing its prefix) and re-signs with --sign-key', async () => {
    const slow = join(dir, 'slow.md');
    writeFileSync(slow, RUNBOOK);
    const transcript = join(dir, 'r.jsonl');
    const env = { SLOW_MARK: join(dir, 'r.mark') };
    const run = startCli(['run', slow, '--yes', '--transcript', transcript, '--sign-key', key], { env });
    await run.waitFor(/waiting/);
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(130);
    const before = parseLines(readFileSync(transcript, 'utf8'));
    expect((await runCli(['verify', transcript, '--allowed-signers', allowed])).code).toBe(0);

    writeFileSync(slow, RUNBOOK); // unchanged: resume checks the sha256
    const resumed = await runCli(['resume', transcript, '--yes', '--sign-key', key], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const lastSeq = before.at(-1)?.seq ?? -1;
    expect(resumed.stderr).toContain(`r.jsonl.sig covered the run up to seq ${lastSeq}; kept as ${transcript}.seq-${lastSeq}.sig`);
    const verified = await runCli(['verify', transcript, '--allowed-signers', allowed]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain('signed by alice@oncall');
    // The kept signature still signs the hash of the line it covered.
    const old = execFileSync('ssh-keygen', ['-Y', 'verify', '-f', allowed, '-I', 'alice@oncall', '-n', 'runbook', '-s', `${transcript}.seq-${lastSeq}.sig`], {
      input: `runbook transcript seq ${lastSeq} hash ${before.at(-1)?.hash ?? ''}\n`,
    });
    expect(old.toString()).toContain('Good "runbook" signature');
  }, 60_000);

  /** A signed run interrupted (SIGINT, so it ends with run.finished), then resumed: `signed`, re-signing at the end, or not. */
  async function interruptedAndResumed(name: string, resumeKey: boolean): Promise<{ transcript: string; firstEnd: number; lines: string[] }> {
    const slow = join(dir, `${name}.md`);
    writeFileSync(slow, RUNBOOK);
    const transcript = join(dir, `${name}.jsonl`);
    const env = { SLOW_MARK: join(dir, `${name}.mark`) };
    const run = startCli(['run', slow, '--yes', '--transcript', transcript, '--sign-key', key], { env });
    await run.waitFor(/waiting/);
    run.child.kill('SIGINT');
    await run.exited;
    const resumed = await runCli(['resume', transcript, '--yes', ...(resumeKey ? ['--sign-key', key] : [])], { env });
    expect(resumed.code, resumed.stderr).toBe(0);
    const lines = readFileSync(transcript, 'utf8').split('\n').filter(Boolean);
    const firstEnd = lines.findIndex((line) => JSON.parse(line).type === 'run.finished');
    expect(firstEnd).toBeGreaterThan(0);
    expect(lines.length).toBeGreaterThan(firstEnd + 1);
    return { transcript, firstEnd, lines };
  }

  it('hostile: a signed, resumed record cut back to its first run.finished, the kept signature renamed to .sig, fails verify (exit 1, one line), keyed or not', async () => {
    const { transcript, firstEnd, lines } = await interruptedAndResumed('cut', true);
    const newest = lines.length - 1;
    expect(existsSync(`${transcript}.seq-${firstEnd}.sig`)).toBe(true);
    writeFileSync(transcript, `${lines.slice(0, firstEnd + 1).join('\n')}\n`);
    renameSync(`${transcript}.seq-${firstEnd}.sig`, `${transcript}.sig`);

    const keyed = await runCli(['verify', transcript, '--allowed-signers', allowed]);
    expect(keyed.code).toBe(1);
    expect(keyed.stdout).toBe('');
    expect(keyed.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`cut\\.jsonl ends at seq ${firstEnd} before the newest signature beside it, .*cut\\.jsonl\\.seq-${newest}\\.sig, which covers seq ${newest}: the record was cut back .*\\(cut\\.jsonl\\.seq-${newest}\\.sig: by alice@oncall\\)$`)),
    ]);
    const unkeyed = await runCli(['verify', transcript]);
    expect(unkeyed.code).toBe(1);
    expect(unkeyed.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`ends at seq ${firstEnd} before the newest signature beside it, .*which covers seq ${newest}: the record was cut back`))]);
  }, 90_000);

  it('a record resumed without a key, with its old signature put back as .sig, is signed up to the first end and reported as going on unsigned (exit 1)', async () => {
    const { transcript, firstEnd, lines } = await interruptedAndResumed('tail', false);
    renameSync(`${transcript}.seq-${firstEnd}.sig`, `${transcript}.sig`);
    const keyed = await runCli(['verify', transcript, '--allowed-signers', allowed]);
    expect(keyed.code).toBe(1);
    expect(keyed.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`tail\\.jsonl\\.sig \\(by alice@oncall\\) is signed up to seq ${firstEnd}; the file goes on past it unsigned to seq ${lines.length - 1}`)),
    ]);
  }, 90_000);

  it('a signature from before seq was signed (the last hash alone) still verifies, and says it covers the last hash only', async () => {
    const transcript = join(dir, 'old.jsonl');
    expect((await runCli(['run', file, '--yes', '--transcript', transcript])).code).toBe(0);
    const last = parseLines(readFileSync(transcript, 'utf8')).at(-1)?.hash ?? '';
    writeFileSync(`${transcript}.sig`, execFileSync('ssh-keygen', ['-Y', 'sign', '-f', key, '-n', 'runbook'], { input: `${last}\n`, stdio: ['pipe', 'pipe', 'ignore'] }));
    const verified = await runCli(['verify', transcript, '--allowed-signers', allowed]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/signed by alice@oncall \(ED25519 key SHA256:\S+\) — an older signature that covers the last hash only, not where the record ends$/m);
  });

  it('resume without a key leaves the record unsigned rather than wrongly signed', async () => {
    const transcript = join(dir, 's.jsonl');
    const slow = join(dir, 'slow2.md');
    writeFileSync(slow, RUNBOOK);
    const env = { SLOW_MARK: join(dir, 's.mark') };
    const run = startCli(['run', slow, '--yes', '--transcript', transcript, '--sign-key', key], { env });
    await run.waitFor(/waiting/);
    run.child.kill('SIGINT');
    await run.exited;
    expect((await runCli(['resume', transcript, '--yes'], { env })).code).toBe(0);
    expect(existsSync(`${transcript}.sig`)).toBe(false);
    const check = await runCli(['verify', transcript, '--allowed-signers', allowed]);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/no signature/);
  }, 60_000);

  it('an ssh-keygen older than OpenSSH 8.2 (no -Y, as Windows 10 ships) is named in one line, exit 2, and nothing is signed', async () => {
    const transcript = join(dir, 'old-keygen.jsonl');
    expect((await runCli(['run', file, '--yes', '--transcript', transcript])).code).toBe(0);
    const bin = tempDir('runbook-old-keygen-');
    // A stand-in for OpenSSH 8.1's ssh-keygen: it knows -l (fingerprints) but not -Y.
    const real = execFileSync('sh', ['-c', 'command -v ssh-keygen'], { encoding: 'utf8' }).trim();
    writeFileSync(join(bin, 'ssh-keygen'), `#!/bin/sh\nif [ "$1" = "-Y" ]; then echo "ssh-keygen: unknown option -- Y" >&2; exit 1; fi\nexec ${real} "$@"\n`, { mode: 0o755 });
    const signed = await runCli(['sign', transcript, '--key', key], { env: { PATH: `${bin}:${process.env.PATH ?? ''}` } });
    expect(signed.code).toBe(2);
    expect(signed.stderr.trim().split('\n')).toEqual([expect.stringMatching(/ssh-keygen on PATH is older than OpenSSH 8\.2 \(it has no -Y.*install OpenSSH 8\.2 or later/)]);
    expect(existsSync(`${transcript}.sig`)).toBe(false);
  }, 60_000);
});
