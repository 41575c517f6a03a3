/**
 * Sidecars inside the chain: one file per cell attempt (`<stem>.<cell>.<attempt>.<stream>.log`),
 * closed by `cell.output.closed` with its byte count and sha256; verify names an edited or
 * a missing one. A run killed mid-spill and resumed leaves two files, never one shared.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLines, runCli, startCli, tempDir } from './runner-support.js';

function loudRunbook(dir: string, tail = ''): string {
  const path = join(dir, 'loud.md');
  // ~2 MB of output: past the 1 MiB kept in events.
  writeFileSync(path, ['# Loud', '', '```sh {name=loud}', 'seq 1 300000', tail, '```', ''].join('\n'));
  return path;
}

describe('sidecar files', () => {
  it('are named per attempt, closed with bytes and sha256 in the chain, and verify names an edited or a missing one', async () => {
    const dir = tempDir('runbook-sidecar-');
    const transcript = join(dir, 'loud.jsonl');
    const result = await runCli(['run', loudRunbook(dir), '--yes', '--transcript', transcript], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    const spilled = events.find((e) => e.type === 'cell.output.spilled');
    const closed = events.find((e) => e.type === 'cell.output.closed');
    expect(spilled).toMatchObject({ cell: 'loud', stream: 'stdout', path: 'loud.loud.1.stdout.log', attempt: 1 });
    const file = join(dir, 'loud.loud.1.stdout.log');
    const bytes = readFileSync(file);
    expect(closed).toMatchObject({ cell: 'loud', stream: 'stdout', path: 'loud.loud.1.stdout.log', bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    expect((await runCli(['verify', transcript], { cwd: dir })).code).toBe(0);
    const closedLine = events.indexOf(closed!) + 1;

    // One digit changed, same length.
    const edited = Buffer.from(bytes);
    edited[edited.length - 2] = edited[edited.length - 2] === 0x31 ? 0x32 : 0x31;
    writeFileSync(file, edited);
    const changed = await runCli(['verify', transcript], { cwd: dir });
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(new RegExp(`loud\\.jsonl:${closedLine}: sidecar loud\\.loud\\.1\\.stdout\\.log was changed`));

    rmSync(file);
    const missing = await runCli(['verify', transcript], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(new RegExp(`loud\\.jsonl:${closedLine}: sidecar loud\\.loud\\.1\\.stdout\\.log is missing`));
  }, 120_000);

  it('after kill -9 mid-spill and a resume, each attempt has its own file', async () => {
    const dir = tempDir('runbook-sidecar-');
    const again = join(dir, 'again');
    const runbook = loudRunbook(dir, `if [ ! -e '${again}' ]; then touch '${again}'; sleep 30; fi`);
    const transcript = join(dir, 'loud.jsonl');
    const run = startCli(['run', runbook, '--yes', '--json', '--transcript', transcript]);
    await run.waitFor(/"type":"cell.output.spilled"/, 60_000);
    // Wait until the first attempt wrote all it will (it sleeps after seq).
    for (let i = 0; i < 200 && !existsSync(again); i += 1) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    run.child.kill('SIGKILL');
    await run.exited;
    const resumed = await runCli(['resume', transcript, '--yes'], { cwd: dir });
    expect(resumed.code, resumed.stderr).toBe(0);

    const first = readFileSync(join(dir, 'loud.loud.1.stdout.log'), 'utf8');
    const second = readFileSync(join(dir, 'loud.loud.2.stdout.log'), 'utf8');
    // Each holds exactly one attempt's output past the cap: it ends with the last number once.
    expect(first.match(/^300000$/gm)).toHaveLength(1);
    expect(second.match(/^300000$/gm)).toHaveLength(1);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(events.filter((e) => e.type === 'cell.started').map((e) => e.attempt)).toEqual([1, 2]);
    const verified = await runCli(['verify', transcript], { cwd: dir });
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stderr).toContain('sidecar loud.loud.1.stdout.log was never closed');
  }, 120_000);
});
