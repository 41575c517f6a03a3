/**
 * Exit codes live in one table (src/commands/exit.ts): no command and not the installed
 * entry point returns a number of its own, so the README's table and the code cannot drift.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/commands/exit.js';

const ROOT = resolve(import.meta.dirname, '..');
const COMMANDS = join(ROOT, 'src', 'commands');
/** `return 2;`, `? 1 : 0`, `exitCode = 70`, `process.exit(1)`: a code written as a number. */
const LITERAL = /\breturn \d+;|\? \d+ : \d+|exitCode = \d+|process\.exit\(\d+\)/;

describe('exit codes', () => {
  it('are written only in the EXIT table: no literal in src/commands/, src/cli.ts or bin/runbook.js', () => {
    const files = [
      ...readdirSync(COMMANDS).filter((name) => name !== 'exit.ts' && name.endsWith('.ts')).map((name) => join(COMMANDS, name)),
      join(ROOT, 'src', 'cli.ts'),
      join(ROOT, 'bin', 'runbook.js'),
    ];
    const literals = files.flatMap((file) =>
      readFileSync(file, 'utf8').split('\n').flatMap((line, i) => (LITERAL.test(line) ? [`${file.slice(ROOT.length + 1)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(literals).toEqual([]);
  });

  it("bin/runbook.js's own 70 (for when dist/ cannot load) is EXIT.internal", () => {
    const bin = readFileSync(join(ROOT, 'bin', 'runbook.js'), 'utf8');
    expect(Number(/const EXIT_INTERNAL = (\d+);/.exec(bin)?.[1])).toBe(EXIT.internal);
  });

  it('are distinct, and every one is in the README\'s table', () => {
    const codes = Object.values(EXIT);
    expect(new Set(codes).size).toBe(codes.length);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const code of codes) expect(readme, String(code)).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});
