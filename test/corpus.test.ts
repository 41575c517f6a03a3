/**
 * Real runbooks nobody here wrote (GitLab's public SRE runbooks, MIT): every one parses,
 * every executable fence is a cell at its line, no parse error is raised, and lint's only
 * errors are SQL fences that really hold something other than SQL (psql sessions are read
 * as sessions: their SQL is checked, their output is not).
 * The corpus lives beside the repository (../shared/corpus); without it, this is skipped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintRunbook } from '../src/engine/lint.js';
import { parseRunbook } from '../src/engine/parse.js';
import { corpusDir } from './support/corpus.js';

const CORPUS = corpusDir('gitlab-runbooks') ?? '';
const files = CORPUS && existsSync(CORPUS) ? readdirSync(CORPUS).filter((name) => name.endsWith('.md')).sort() : [];

/** Lines that open an executable fence, found without any Markdown parser. */
function executableFenceLines(text: string): number[] {
  const opener = /^\s*(?:>\s*)*(?:(?:[-*+]|\d+[.)])\s+)?(`{3,}|~{3,})\s*(sql|postgres|postgresql|sh|bash|shell|powershell|pwsh|ps1)(?:\s|\{|$)/i;
  const lines: number[] = [];
  text.split('\n').forEach((line, index) => {
    if (opener.test(line)) lines.push(index + 1);
  });
  return lines;
}

describe.skipIf(files.length === 0)('gitlab-runbooks corpus', () => {
  it.each(files)('%s', async (name) => {
    const text = readFileSync(join(CORPUS, name), 'utf8');
    const runbook = parseRunbook(text, name);
    expect(runbook.cells.map((cell) => cell.line)).toEqual(executableFenceLines(text));
    expect(runbook.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const ids = runbook.cells.map((cell) => cell.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const cell of runbook.cells) {
      expect(cell.section.length, `${name}:${cell.line} has a heading`).toBeGreaterThan(0);
      // The fence's content (as written, for a console session) starts on the line after the fence.
      const firstLine = (cell.session?.written ?? cell.source).split('\n')[0]!;
      expect(text.split('\n')[cell.sourceLine - 1]!.endsWith(firstLine), `${name}:${cell.sourceLine}`).toBe(true);
    }
    const errors = (await lintRunbook(runbook, text)).filter((d) => d.severity === 'error');
    for (const error of errors) {
      expect(error.rule).toBe('sql-syntax');
      // Each reported line really is not SQL: a psql prompt, an elision, a shell variable or prose.
      const line = text.split('\n')[error.line - 1]!;
      expect(line, `${name}:${error.line}`).toMatch(/=#|\.\.\.|\$[a-z_]+|^[a-z ]+:$/i);
    }
  });

  it('finds the SQL fences that are not SQL, and only those', async () => {
    const found: string[] = [];
    for (const name of files) {
      const text = readFileSync(join(CORPUS, name), 'utf8');
      for (const d of await lintRunbook(parseRunbook(text, name), text)) if (d.severity === 'error') found.push(`${name}:${d.line}`);
    }
    // An elision (`id in ( 6334677, ... )`) and a shell variable in SQL: neither would run.
    expect(found).toEqual(['ci-runners__service-ci-runners.md:105', 'patroni__provisioning_bench_env.md:467']);
  });
});
