/**
 * The YAML frontmatter reader's contract (js-yaml, YAML 1.2 core schema): what an author
 * writes is read as YAML 1.2 says, and hostile frontmatter is one problem or a few small
 * objects, never a hang, a crash or a polluted prototype.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunbook } from '../src/engine/parse.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'runbook.js');
const doc = (frontmatter: string) => `---\n${frontmatter}\n---\n\n# T\n\n\`\`\`sh\necho hi\n\`\`\`\n`;

describe('YAML frontmatter', () => {
  it('reads the core schema: dates, yes/no and on/off stay strings, numbers are numbers', () => {
    const runbook = parseRunbook(doc('title: 2026-01-01\nvariables:\n  A:\n    default: yes\n  B:\n    default: off\n  C:\n    default: 0o14\n'), 'x.md');
    expect(runbook.diagnostics).toEqual([]);
    expect(runbook.frontmatter.title).toBe('2026-01-01');
    expect(runbook.variables.map((v) => [v.name, v.default])).toEqual([['A', 'yes'], ['B', 'off'], ['C', '12']]);
  });

  it('refuses a key given twice, at its line in the document, as one problem', () => {
    const problems = parseRunbook(doc('title: a\ntitle: b'), 'x.md').diagnostics;
    expect(problems.map((d) => d.rule)).toEqual(['frontmatter']);
    expect(problems[0]).toMatchObject({ line: 3, column: 1 });
    expect(problems[0]!.message).toMatch(/^frontmatter is not valid YAML: duplicated mapping key at line 2, column 1$/);
  });

  it('a __proto__ key is a key, not the prototype', () => {
    const runbook = parseRunbook(doc('__proto__:\n  polluted: yes\ntitle: t'), 'x.md');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(runbook.frontmatter)).toBe(Object.prototype);
    expect(runbook.frontmatter.title).toBe('t');
  });

  it('nesting deeper than the stack is one problem, not a crash', () => {
    const problems = parseRunbook(doc(`a: ${'['.repeat(50_000)}${']'.repeat(50_000)}`), 'x.md').diagnostics;
    expect(problems.map((d) => d.rule)).toEqual(['frontmatter']);
  });

  it('an alias bomb (10^9 strings by reference) is listed, linted and planned without expanding it', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let level = 1; level < 10; level += 1) {
      const name = String.fromCharCode(97 + level);
      const prior = String.fromCharCode(96 + level);
      levels.push(`${name}: &${name} [${Array(10).fill(`*${prior}`).join(',')}]`);
    }
    // Also where the reader looks: a variables list made of the bomb's lists.
    const dir = mkdtempSync(join(tmpdir(), 'runbook-yaml-bomb-'));
    const file = join(dir, 'bomb.md');
    writeFileSync(file, doc(`${levels.join('\n')}\nvariables: *j\nnotify: *j\nlog: *j\nskipPrompts: *j`));
    const list = spawnSync(process.execPath, [BIN, 'list', file, '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(list.status).toBe(0);
    expect(JSON.parse(list.stdout).cells.map((c: { id: string }) => c.id)).toEqual(['t']);
    const lint = spawnSync(process.execPath, [BIN, 'lint', file], { encoding: 'utf8', timeout: 60_000 });
    expect(lint.status).toBe(1);
    expect(lint.stdout).toMatch(/each item of frontmatter variables needs a name/);
    const dryRun = spawnSync(process.execPath, [BIN, 'run', file, '--dry-run', '--yes', '--transcript', join(dir, 't.jsonl')], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, RUNBOOK_LOG_URL: '' } });
    expect(dryRun.signal).toBeNull();
    expect(dryRun.stderr + dryRun.stdout).not.toMatch(/internal error|RangeError|heap/i);
  });
});
