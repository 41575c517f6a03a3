/**
 * The pwsh session's channel (session-channel.ts), the one transport there is on every OS: a
 * local socket only the host joins, with the run's nonce. Real pwsh 7; skipped (with the
 * reason) where it is not installed. The hostile cases: a local process that connects and
 * poses as the host, a cell that prints frames, a native command that reads stdin.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPwshExecutor, type PwshExecutor } from '../src/engine/lang/powershell/executor.js';
import { pwshHostFiles } from '../src/engine/lang/powershell/host-script.js';
import { PwshSession } from '../src/engine/lang/powershell/session.js';
import { HostChannel } from '../src/engine/process/session-channel.js';
import { onPath } from '../src/engine/process/which.js';
import { contextFor } from './support/executor-context.js';

const hasPwsh = onPath('pwsh');
if (!hasPwsh) console.warn('pwsh-channel.test.ts: skipped, pwsh (PowerShell 7) is not on PATH; .ci/run installs it with dotnet');

const executors: PwshExecutor[] = [];
const sessions: { session: PwshSession; dir: string }[] = [];
afterEach(async () => {
  await Promise.all(executors.splice(0).map((e) => e.close()));
  for (const { session, dir } of sessions.splice(0)) {
    session.close(200);
    rmSync(dir, { recursive: true, force: true });
  }
});

const pwsh = () => {
  const executor = createPwshExecutor({ interpreter: 'pwsh', killGraceMs: 1000 });
  executors.push(executor);
  return executor;
};
const ps = (source: string) => contextFor('powershell', source);

/** A session of its own, to reach its channel's address the way another local process would. */
function bareSession(): PwshSession {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-channel-'));
  const script = join(dir, 'host.ps1');
  writeFileSync(script, pwshHostFiles()['host.ps1']);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  const session = new PwshSession('pwsh', script, env, dir, dir);
  sessions.push({ session, dir });
  return session;
}

/** Connects as an impostor, writes `text`, and resolves with what came back once the other side closed. */
function impostor(path: string, text: string): Promise<{ said: string; closed: boolean; error?: string }> {
  return new Promise((resolve) => {
    let said = '';
    const socket: Socket = connect(path);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk: string) => (said += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => resolve({ said, closed: true, error: error.code ?? error.message }));
    socket.on('close', () => resolve({ said, closed: true }));
  });
}

/** Connects, writes `text`, and keeps the socket open; `said` collects what comes back. */
function client(path: string, text: string): { socket: Socket; said: () => string; closed: Promise<void> } {
  let said = '';
  const socket = connect(path);
  socket.setEncoding('utf8');
  socket.on('connect', () => socket.write(text));
  socket.on('data', (chunk: string) => (said += chunk));
  socket.on('error', () => undefined);
  return { socket, said: () => said, closed: new Promise((resolve) => socket.on('close', () => resolve())) };
}

describe('the channel itself (Node on both ends, the code Windows runs with a named pipe)', () => {
  const channels: { channel: HostChannel; dir: string }[] = [];
  afterEach(() => {
    for (const { channel, dir } of channels.splice(0)) {
      channel.end();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  const open = () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-channel-'));
    const frames: string[] = [];
    let closed = 0;
    const channel = new HostChannel(dir, { frame: (line) => frames.push(line), failed: () => undefined, closed: () => closed++ });
    channels.push({ channel, dir });
    return { channel, frames, closedCount: () => closed };
  };

  it('takes the host by its nonce: frames sent before it came reach it, its lines are frames, split anywhere', async () => {
    const { channel, frames } = open();
    channel.send('{"op":"parse","id":1}');
    const host = client(channel.address.listen, `${channel.nonce}\nready 4`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    host.socket.write('2\no "é🙂');
    host.socket.write('"\ne "x"\n');
    channel.send('{"op":"stop"}');
    await expect.poll(() => frames).toEqual(['ready 42', 'o "é🙂"', 'e "x"']);
    await expect.poll(() => host.said()).toBe('{"op":"parse","id":1}\n{"op":"stop"}\n');
  });

  it('closes a connection with a wrong nonce, or a first line longer than one, before any host came; nothing it sent is a frame', async () => {
    const { channel, frames } = open();
    const wrong = client(channel.address.listen, `${'f'.repeat(64)}\nready 1\nend {}\n`);
    await wrong.closed;
    const flood = client(channel.address.listen, 'x'.repeat(10_000));
    await flood.closed;
    expect(frames).toEqual([]);
    // Still listening for the real host.
    const host = client(channel.address.listen, `${channel.nonce}\nready 7\n`);
    await expect.poll(() => frames).toEqual(['ready 7']);
    expect(host.socket.destroyed).toBe(false);
  });

  it('once the host is in, a connection still waiting is closed and no other can be made', async () => {
    const { channel, frames } = open();
    const early = client(channel.address.listen, '');
    await new Promise((resolve) => setTimeout(resolve, 100));
    client(channel.address.listen, `${channel.nonce}\nready 9\n`);
    await early.closed;
    await expect.poll(() => frames).toEqual(['ready 9']);
    const late = await impostor(channel.address.listen, `${channel.nonce}\nready 1\n`);
    expect(late.error).toMatch(/ENOENT|ECONNREFUSED/);
    expect(frames).toEqual(['ready 9']);
  });

  it('says when the host leaves, and its end reaches the host', async () => {
    const { channel, closedCount } = open();
    const host = client(channel.address.listen, `${channel.nonce}\n`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    channel.end();
    await host.closed;
    await expect.poll(closedCount).toBe(1);
  });
});

describe.skipIf(!hasPwsh)('pwsh session channel (real PowerShell 7)', () => {
  it('lives in a directory only this user can enter (POSIX), and its nonce reaches no cell nor any command line', async () => {
    const session = bareSession();
    const { listen } = session.channel.address;
    if (process.platform !== 'win32') expect(statSync(join(listen, '..')).mode & 0o777).toBe(0o700);
    expect((await session.parse('Get-Date')).errors).toEqual([]);
    const cmdline = readFileSync(`/proc/${session.pid}/cmdline`, 'utf8');
    expect(cmdline).not.toContain(session.channel.nonce);

    const executor = pwsh();
    const cell = ps("[string]($env:RUNBOOK_SESSION_NONCE -eq $null) + ' ' + [string][System.Environment]::GetEnvironmentVariables().Contains('RUNBOOK_SESSION_NONCE')");
    expect(await executor.run(cell.context)).toMatchObject({ status: 'succeeded' });
    expect(cell.output('stdout').trim()).toBe('True False');
  });

  it('closes a connection that does not give the nonce, and what it sent changes nothing', async () => {
    const session = bareSession();
    // Asked before the host is in: the request waits for it (the impostor must not answer it).
    const parsed = session.parse('Get-Date', [0]);
    const forged = `${'0'.repeat(64)}\nready 1\np {"id":1,"errors":[{"message":"forged","line":1,"column":1}],"spots":[],"commands":[],"functions":[]}\n`;
    const refused = await impostor(session.channel.address.listen, forged);
    expect(refused.closed).toBe(true);
    expect(refused.said).toBe('');
    const report = await parsed;
    expect(report.errors).toEqual([]);
    expect(report.spots[0]).toMatchObject({ at: 0, kind: 'Generic', commandName: true });
  });

  it('refuses a first line longer than a nonce without waiting for its end, and nobody may join once the host is in', async () => {
    const session = bareSession();
    const flood = await impostor(session.channel.address.listen, 'x'.repeat(10_000));
    expect(flood.closed).toBe(true);
    expect((await session.parse('Get-Date')).errors).toEqual([]);
    // The host is in: the listener is closed (POSIX: its socket file is gone).
    const late = await impostor(session.channel.address.listen, `${session.channel.nonce}\n`);
    expect(late.error).toMatch(/ENOENT|ECONNREFUSED/);
    expect((await session.parse('1 +')).errors.length).toBeGreaterThan(0);
  });

  it('a cell that prints frames (and the sentinel\'s look-alike) changes nothing: its output is output, its status its own', async () => {
    const executor = pwsh();
    const frames = [
      'end {"code":0,"errors":0,"stopped":false,"env":{},"cwd":"/"}',
      'p {"id":1,"errors":[],"spots":[],"commands":[],"functions":[]}',
      'fatal {"message":"forged"}',
      'ready 1',
      '__runbook_end_00000000000000000000000000000000__',
    ];
    const source = [
      ...frames.map((frame) => `Write-Output '${frame}'`),
      ...frames.map((frame) => `[Console]::Out.WriteLine('${frame}')`),
      ...frames.map((frame) => `[Console]::Error.WriteLine('${frame}')`),
      'exit 3',
    ].join('\n');
    const cell = ps(source);
    expect(await executor.run(cell.context)).toMatchObject({ status: 'failed', exitCode: 3 });
    for (const frame of frames) {
      expect(cell.output('stdout').split(frame).length - 1).toBe(2);
      expect(cell.output('stderr')).toContain(frame);
    }
    const next = ps('$PID');
    expect(await executor.run(next.context)).toMatchObject({ status: 'succeeded', exitCode: 0 });
  });

  it('a native command in a cell that reads stdin gets end of input, and the session carries on', async () => {
    const executor = pwsh();
    const first = ps('$kept = "still here"\n$line = [Console]::In.ReadLine()\n"console=[$line]"\n$read = cat\n"cat=[$read]"\nhead -c 5 | Out-Null\n"done"');
    expect(await executor.run(first.context)).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(first.output('stdout')).toBe('console=[]\ncat=[]\ndone\n');
    const second = ps('"kept=$kept"');
    expect(await executor.run(second.context)).toMatchObject({ status: 'succeeded' });
    expect(second.output('stdout')).toBe('kept=still here\n');
  });

  it('a channel that cannot listen ends the session with the reason, never a hang', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-channel-'));
    const script = join(dir, 'host.ps1');
    writeFileSync(script, pwshHostFiles()['host.ps1']);
    const session = new PwshSession('pwsh', script, { PATH: process.env.PATH ?? '' }, dir, join(dir, 'gone'));
    sessions.push({ session, dir });
    await expect(session.parse('Get-Date')).rejects.toThrow(/lost its channel \(could not listen on .*gone.*host\.sock/);
    expect(session.alive).toBe(false);
  });

  it('carries a frame of megabytes whole, and text in any script', async () => {
    const executor = pwsh();
    const cell = ps("$big = 'é🙂x' * 400000\n$big\n$big.Length");
    expect(await executor.run(cell.context)).toMatchObject({ status: 'succeeded' });
    const lines = cell.output('stdout').split('\n');
    expect(lines[0]).toBe('é🙂x'.repeat(400_000));
    expect(lines[1]).toBe('1600000');
  });
});
