/**
 * Hostile --var values against sh cells, through the real CLI and real bash: a value in an
 * arithmetic context cannot run code, a `<<` shift is not a heredoc, and a value never
 * sets a variable the shell or the loader reads.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, parseLines, runCli, tempDir } from './runner-support.js';

const output = (transcript: string, cell: string) =>
  parseLines(readFileSync(transcript, 'utf8'))
    .filter((e) => e.type === 'cell.output' && e.cell === cell)
    .map((e) => (e as { data: string }).data)
    .join('');

describe('hostile values in sh cells', () => {
  it('refuses a non-integer in arithmetic before anything runs (exit 2, one line), and nothing is executed', async () => {
    const marker = join(tempDir(), `pwned-${randomBytes(4).toString('hex')}`);
    const transcript = join(tempDir(), 'arith.jsonl');
    const result = await runCli(['run', fixture('hostile-shell.md'), '--yes', '--only', 'arith,after', '--var', `COUNT=a[$(touch ${marker})]`, '--transcript', transcript]);
    expect(result.code, result.stderr).toBe(2);
    expect(existsSync(marker)).toBe(false);
    const line = result.stderr.trim().split('\n').filter((l) => l.includes('COUNT'));
    expect(line).toHaveLength(1);
    expect(line[0]).toMatch(/cell arith \(line \d+\): <COUNT> at line 1 of the cell is used in shell arithmetic.*integer only/);
    // Refused before the run: no cell started, not even the harmless one.
    expect(parseLines(readFileSync(transcript, 'utf8')).filter((e) => e.type === 'cell.started')).toEqual([]);
  });

  it('takes an integer in arithmetic', async () => {
    const transcript = join(tempDir(), 'arith-ok.jsonl');
    const result = await runCli(['run', fixture('hostile-shell.md'), '--yes', '--only', 'arith', '--var', 'COUNT=12', '--transcript', transcript]);
    expect(result.code, result.stderr).toBe(0);
    expect(output(transcript, 'arith')).toBe('big\nnext=13\n');
  });

  it('binds the line after $((1<<4)) as a quoted word: no splitting, no globbing', async () => {
    const dir = tempDir();
    for (const name of ['keep1', 'keep2']) writeFileSync(join(dir, name), '');
    const transcript = join(tempDir(), 'shift.jsonl');
    const result = await runCli(['run', fixture('hostile-shell.md'), '--yes', '--only', 'shift', '--var', 'TARGET=old logs *', '--transcript', transcript], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(output(transcript, 'shift')).toBe('arg:[old logs *] mask=16\n');
  });

  it('gives values names of their own: --var BASH_ENV, LD_PRELOAD, PATH reach no shell or loader', async () => {
    const dir = tempDir();
    const marker = join(dir, 'sourced');
    const evil = join(dir, 'evil.sh');
    writeFileSync(evil, `touch ${marker}\n`);
    const transcript = join(dir, 'names.jsonl');
    const result = await runCli([
      'run', fixture('hostile-shell.md'), '--yes', '--only', 'names,after',
      '--var', `BASH_ENV=${evil}`, '--var', 'LD_PRELOAD=/nonexistent/evil.so', '--var', 'PATH=/nonexistent', '--var', 'ENV=' + evil,
      '--transcript', transcript,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(result.stderr).not.toContain('LD_PRELOAD');
    expect(output(transcript, 'names')).toBe('path=/nonexistent\npath-ok\n');
    expect(output(transcript, 'after')).toBe('after-ok\n');
  });

  it('refuses --var DATABASE_URL and the frontmatter database variable (exit 2, nothing started)', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'rb'), { recursive: true });
    const runbook = join(dir, 'rb', 'db.md');
    writeFileSync(runbook, '---\ndatabase: $PROD_DB_URL\n---\n# Db\n\n```sh {name=show}\necho "$PROD_DB_URL"\n```\n');
    for (const name of ['DATABASE_URL', 'PROD_DB_URL']) {
      const transcript = join(dir, `${name}.jsonl`);
      const result = await runCli(['run', runbook, '--yes', '--db', 'postgres://u@127.0.0.1:1/none', '--var', `${name}=postgres://prod@prod.example.com/prod`, '--transcript', transcript]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.trim()).toBe(`runbook: --var ${name}: the database target is not a variable; choose it with --db URL (or RUNBOOK_DATABASE_URL)`);
      expect(existsSync(transcript)).toBe(false);
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
