/**
 * The OS seams, exercised here with the platform reported as win32 through the one function
 * the engine reads it from (src/engine/process/platform.ts). No Windows machine runs this
 * project's tests: these check what the code would do there, not that Windows does it.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { platform, withPlatform } from '../src/engine/process/platform.js';
import { findProgram, powershellInterpreter, windowsCandidates } from '../src/engine/process/which.js';
import { taskkillArgs, WATCHER_KILL_WIN32 } from '../src/engine/process/tree-signals-win32.js';
import { WATCHER_KILL_POSIX } from '../src/engine/process/tree-signals-posix.js';
import { reaperScript } from '../src/engine/process/reaper.js';
import { commandLineSpawn } from '../src/engine/process/command-line.js';
import { channelAddress, LineFrames } from '../src/engine/process/session-channel.js';
import { runsInPwshSession } from '../src/engine/lang/sh/executor.js';

describe('platform()', () => {
  it('reports this machine (or what the test project reports), and win32 inside withPlatform', () => {
    const outside = platform();
    expect(['posix', 'win32']).toContain(outside);
    expect(withPlatform('win32', () => platform())).toBe('win32');
    expect(withPlatform('posix', () => platform())).toBe('posix');
    expect(platform()).toBe(outside);
  });
});

describe('program lookup on Windows (PATH split on ;, PATHEXT, quotes)', () => {
  it('tries the bare name, then every PATHEXT extension, in each PATH folder in order', () => {
    expect(windowsCandidates('pwsh', 'C:\\Program Files\\PowerShell\\7;"C:\\Tools"', 'C:\\work', '.COM;.EXE')).toEqual([
      'C:\\Program Files\\PowerShell\\7\\pwsh',
      'C:\\Program Files\\PowerShell\\7\\pwsh.COM',
      'C:\\Program Files\\PowerShell\\7\\pwsh.EXE',
      'C:\\Tools\\pwsh',
      'C:\\Tools\\pwsh.COM',
      'C:\\Tools\\pwsh.EXE',
    ]);
  });

  it('a name that already has a PATHEXT extension (any case) is looked up as given', () => {
    expect(windowsCandidates('railway.exe', 'C:\\bin', 'C:\\work', '.COM;.EXE')).toEqual(['C:\\bin\\railway.exe']);
  });

  it('a relative path is resolved against the runbook folder, not PATH', () => {
    expect(windowsCandidates('.\\scripts\\db_push.ps1', 'C:\\bin', 'C:\\repo', '.PS1')).toEqual(['C:\\repo\\scripts\\db_push.ps1']);
  });

  it('the default PATHEXT is Windows\' own', () => {
    expect(windowsCandidates('psql', 'C:\\pg\\bin', 'C:\\')).toEqual(['C:\\pg\\bin\\psql', 'C:\\pg\\bin\\psql.COM', 'C:\\pg\\bin\\psql.EXE', 'C:\\pg\\bin\\psql.BAT', 'C:\\pg\\bin\\psql.CMD']);
  });

  it('on POSIX the execute bit decides', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-which-'));
    writeFileSync(join(dir, 'tool'), '');
    chmodSync(join(dir, 'tool'), 0o644);
    expect(withPlatform('posix', () => findProgram('tool', dir, dir))).toBeUndefined();
    writeFileSync(join(dir, 'runnable'), '');
    chmodSync(join(dir, 'runnable'), 0o755);
    expect(withPlatform('posix', () => findProgram('runnable', dir, dir))).toBe(join(dir, 'runnable'));
  });
});

describe('PowerShell interpreter', () => {
  it('is pwsh on every OS: Windows PowerShell 5.1 only when a cell names it', () => {
    expect(powershellInterpreter()).toBe('pwsh');
    expect(withPlatform('win32', () => powershellInterpreter())).toBe('pwsh');
  });
});

describe('stopping a tree on Windows', () => {
  it('is taskkill of the whole tree, forced', () => {
    expect(taskkillArgs(4242)).toEqual(['taskkill', ['/T', '/F', '/PID', '4242']]);
  });
});

describe('the pwsh session channel, per OS', () => {
  it('Windows: a named pipe under \\\\.\\pipe\\, which the host opens by its bare name', () => {
    const address = withPlatform('win32', () => channelAddress('C:\\Users\\op\\AppData\\Local\\Temp\\runbook-pwsh-x', 'abc'));
    expect(address).toEqual({ listen: `\\\\.\\pipe\\runbook-${process.pid}-abc`, host: `runbook-${process.pid}-abc` });
  });

  it('POSIX: a socket in the private directory, the same path for both ends; a path too long for sun_path moves to a short private one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-pwsh-'));
    expect(withPlatform('posix', () => channelAddress(dir))).toEqual({ listen: join(dir, 'host.sock'), host: join(dir, 'host.sock') });
    const long = join(dir, 'd'.repeat(120));
    const moved = withPlatform('posix', () => channelAddress(long));
    try {
      expect(moved.ownDir).toBeDefined();
      expect(Buffer.byteLength(moved.listen)).toBeLessThanOrEqual(100);
      expect(moved.host).toBe(moved.listen);
      expect(statSync(moved.ownDir!).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(moved.ownDir!, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
    expect(existsSync(moved.ownDir!)).toBe(false);
  });

  it('frames are lines, however the text is cut', () => {
    const lines: string[] = [];
    const frames = new LineFrames((line) => lines.push(line));
    for (const chunk of ['o "a', 'b"\ne', ' "c"\n\np {}', '\n', 'tail']) frames.push(chunk);
    expect(lines).toEqual(['o "ab"', 'e "c"', '', 'p {}']);
    expect(frames.pending).toBe(4);
  });

  it('pwsh runs in the session by name on every OS, pwsh.exe and a Windows path included, without being started to ask', () => {
    for (const name of ['pwsh', 'PWSH', '/usr/bin/pwsh', 'C:\\Program Files\\PowerShell\\7\\pwsh.exe', 'pwsh.EXE']) {
      expect(withPlatform('win32', () => runsInPwshSession(name))).toBe(true);
      expect(withPlatform('posix', () => runsInPwshSession(name))).toBe(true);
    }
  });
});

describe('the kill -9 watcher, per OS', () => {
  it("kills a tree by the OS's own means: taskkill /T /F on Windows (the same command as a stop), kill(-group) on POSIX", () => {
    const calls: unknown[][] = [];
    const cp = { spawnSync: (...args: unknown[]) => calls.push(args) };
    new Function('cp', 'id', WATCHER_KILL_WIN32)(cp, 4242);
    expect(calls).toEqual([[...taskkillArgs(4242), { stdio: 'ignore', windowsHide: true }]]);
    const killed: unknown[][] = [];
    new Function('process', 'id', WATCHER_KILL_POSIX)({ kill: (...args: unknown[]) => killed.push(args) }, 4242);
    expect(killed).toEqual([[-4242, 'SIGKILL']]);
  });

  it('is valid JavaScript with either kill', () => {
    for (const kill of [WATCHER_KILL_WIN32, WATCHER_KILL_POSIX]) expect(() => new Function(reaperScript(kill))).not.toThrow();
  });
});

describe('a command line the user wrote (--notify)', () => {
  it('Windows: %ComSpec% /d /s /c "CMD", verbatim, so the quoting as written reaches cmd.exe', () => {
    const command = 'node "C:\\hooks\\page me.js" --to oncall';
    expect(withPlatform('win32', () => commandLineSpawn(command, { ComSpec: 'C:\\Windows\\system32\\cmd.exe' }))).toEqual({
      file: 'C:\\Windows\\system32\\cmd.exe',
      args: ['/d', '/s', '/c', `"${command}"`],
      windowsVerbatimArguments: true,
    });
    expect(withPlatform('win32', () => commandLineSpawn('x', {})).file).toBe('cmd.exe');
  });

  it('POSIX: sh -c CMD', () => {
    expect(withPlatform('posix', () => commandLineSpawn('cat >> log', { ComSpec: 'cmd.exe' }))).toEqual({ file: '/bin/sh', args: ['-c', 'cat >> log'] });
  });
});
