/**
 * One message type and one formatter (src/renderers/text/message.ts) for lint, list and the
 * CLI's refusals; and the internal-error path (src/commands/internal-error.ts): a bug is one
 * line with the version and where the detail went, exit 70, never a stack on the terminal.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../src/commands/exit.js';
import { reportInternalError } from '../src/commands/internal-error.js';
import { diagnosticMessage, longMessage, shortMessage } from '../src/renderers/text/message.js';
import { VERSION } from '../src/version.js';

describe('messages', () => {
  const message = { reason: 'syntax error at or near "SELEC"', severity: 'error', file: 'runbooks/x.md', line: 12, column: 3, rule: 'sql-syntax', cell: 'diagnostics', sqlState: '42601', exitCode: 1 } as const;

  it('short: file:line:column: severity: reason (rule), one line an editor can follow', () => {
    expect(shortMessage(message)).toBe('runbooks/x.md:12:3: error: syntax error at or near "SELEC" (sql-syntax)');
    expect(shortMessage({ reason: 'r', severity: 'warning', file: 'f.md', line: 4 })).toBe('f.md:4: warning: r');
    expect(shortMessage({ reason: 'r', severity: 'error', file: 'f.md', column: 9 })).toBe('f.md: error: r');
  });

  it('long: the short line, then the cell, SQLSTATE and exit code', () => {
    expect(longMessage(message).split('\n')).toEqual([shortMessage(message), '  cell: diagnostics', '  SQLSTATE: 42601', '  exit code: 1']);
    expect(longMessage({ reason: 'r', severity: 'error', sqlState: 'ENOENT' })).toBe('runbook: r\n  code: ENOENT');
  });

  it('without a file: what the command says of itself, prefixed once', () => {
    expect(shortMessage({ reason: 'unknown flag --dbb', severity: 'error', fix: 'see runbook --help' })).toBe('runbook: unknown flag --dbb; see runbook --help');
    expect(shortMessage({ reason: 'runbook timeline: no transcript', severity: 'error' })).toBe('runbook timeline: no transcript');
    expect(shortMessage({ reason: 'stale', severity: 'warning' })).toBe('runbook: warning: stale');
  });

  it("a lint diagnostic reads as lint's line", () => {
    expect(shortMessage(diagnosticMessage('a.md', { severity: 'warning', message: 'cell has no heading', line: 1, column: 1, rule: 'no-heading' }))).toBe('a.md:1:1: warning: cell has no heading (no-heading)');
  });
});

describe('an internal error', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is one line naming the version and the detail file, exit 70; the stack is in the file (0600), secrets masked in both', () => {
    dir = mkdtempSync(join(tmpdir(), 'internal-'));
    let printed = '';
    const secret = 'hunter2-very-secret';
    const error = new Error(`boom while reading postgres://app:${secret}@db/x\n  second line`, { cause: new TypeError('inner cause') });
    const code = reportInternalError(error, { dir, argv: ['run', 'x.md', '--var', `API_TOKEN=${secret}`], write: (text) => (printed += text) });
    expect(code).toBe(EXIT.internal);
    expect(printed.endsWith('\n')).toBe(true);
    expect(printed.trimEnd().split('\n')).toHaveLength(1);
    expect(printed).toContain(`runbook: internal error: boom while reading postgres://app:`);
    expect(printed).toContain(`a bug in runbook ${VERSION}`);
    expect(printed).not.toMatch(/\n\s+at |second line/);
    expect(printed).not.toContain(secret);
    const [file] = readdirSync(dir);
    expect(printed).toContain(join(dir, file!));
    const detail = readFileSync(join(dir, file!), 'utf8');
    expect(detail).toMatch(/^\s+at /m);
    expect(detail).toContain('caused by:');
    expect(detail).toContain('TypeError: inner cause');
    expect(detail).toContain('command: runbook run');
    expect(detail).not.toContain(secret);
    expect(detail).not.toContain('x.md');
    if (process.platform !== 'win32') expect(statSync(join(dir, file!)).mode & 0o777).toBe(0o600);
  });

  it('still prints its line, and says so, when the detail cannot be written', () => {
    dir = mkdtempSync(join(tmpdir(), 'internal-'));
    let printed = '';
    expect(reportInternalError('not an Error', { dir: join(dir, 'missing', 'dir'), write: (text) => (printed += text) })).toBe(EXIT.internal);
    expect(printed).toMatch(/^runbook: internal error: not an Error\. .*the detail could not be written \(ENOENT/);
  });
});
