/**
 * The plan through the real CLI: `list --json` and `run.started` carry the same plan for
 * every cell; interpreters with arguments and beside the runbook run; a run asks only for
 * the values of cells that will run; a refused `run` leaves no file behind.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellFinished, PreflightEvent, RunEvent, RunStarted } from '../src/engine/events.js';
import { parseLines, ROOT, runCli, tempDir } from './runner-support.js';

const PWSH_DIR = '/root/.dotnet/tools';
const hasPwsh = existsSync(join(PWSH_DIR, 'pwsh'));
const NO_PWSH_PATH = '/usr/bin:/bin';
/** A target that is never connected to: dry runs and refused runs stop before any connection. */
const UNREACHABLE = 'postgres://u:pw@127.0.0.1:1/nowhere';

function markdownFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

// Beside the repository: /work/shared for /work/main, one level further up for a worktree in /work/wt/.
const CORPUS = [join(ROOT, '..', 'shared', 'corpus'), join(ROOT, '..', '..', 'shared', 'corpus')].find((dir) => existsSync(dir)) ?? '';
const files = [...markdownFiles(CORPUS), ...markdownFiles(join(ROOT, 'test', 'fixtures')), join(ROOT, 'runbooks', 'dragonfly.md')];

const started = (events: RunEvent[]) => events.find((e): e is RunStarted => e.type === 'run.started');

describe('list --json and run.started agree', () => {
  it.skipIf(!CORPUS)('finds the shared corpus beside the repository (../shared/corpus)', () => {
    expect(markdownFiles(CORPUS).length).toBeGreaterThan(20);
  });

  // The whole plan, the write guard included: both are given the same target (the environment's), and a dry run decides
  // nothing an unattended run would (`confirm.unattended`). Without the corpus the fixtures and runbooks/ are still compared.
  it(`on every cell's whole plan for ${files.length} runbooks (${CORPUS ? 'the corpus, ' : 'no corpus beside the repository, '}the fixtures, runbooks/)`, async () => {
    expect(files.length).toBeGreaterThan(20);
    const dir = tempDir('runbook-agree-');
    const env = { PATH: process.env.PATH, RUNBOOK_DATABASE_URL: UNREACHABLE, RUNBOOK_SANDBOX_DIR: join(dir, 'no-sandbox') };
    const compared: string[] = [];
    const check = async (file: string, index: number) => {
      // --check-commands: list reads what PowerShell cells call as a run does (plain list leaves it to the run).
      const list = await runCli(['list', file, '--json', '--check-commands'], { env });
      if (list.code !== 0) return; // not a readable runbook (the binary fixture, say): nothing to agree on
      const listed = JSON.parse(list.stdout) as { cells: { id: string; effect: string; plan: object }[] };
      const transcript = join(dir, `${index}.jsonl`);
      const run = await runCli(['run', file, '--dry-run', '--transcript', transcript], { env });
      expect(run.code === 0 || run.code === 1, `${file}: ${run.stderr}`).toBe(true);
      const recorded = started(parseLines(readFileSync(transcript, 'utf8')));
      expect(recorded?.cells.map((c) => c.id), file).toEqual(listed.cells.map((c) => c.id));
      recorded?.cells.forEach((cell, i) => {
        const fromList = listed.cells[i]!;
        expect(cell.effect, `${relative(ROOT, file)} ${cell.id}`).toBe(fromList.effect);
        expect(cell.plan, `${relative(ROOT, file)} ${cell.id}`).toEqual(fromList.plan);
      });
      compared.push(file);
    };
    for (let i = 0; i < files.length; i += 3) await Promise.all(files.slice(i, i + 3).map((file, j) => check(file, i + j)));
    expect(compared.length).toBeGreaterThan(files.length - 5);
    // No dry run started a sandbox.
    expect(existsSync(join(dir, 'no-sandbox'))).toBe(false);
  }, 600_000);

  // Plan, then apply: the commands a PowerShell cell calls are read in the run's pwsh session before run.started.
  it.skipIf(!hasPwsh)('run.started does not promise to run a cell the unattended run skips for a missing command', async () => {
    const dir = tempDir('runbook-needs-');
    writeFileSync(join(dir, 'needs.md'), '# Needs\n\n## One\n\n```powershell {name=calls-missing}\nrailway-nope status\n```\n');
    const transcript = join(dir, 't.jsonl');
    await runCli(['run', join(dir, 'needs.md'), '--yes', '--transcript', transcript], { env: { PATH: `${process.env.PATH}:${PWSH_DIR}`, RUNBOOK_DATABASE_URL: '' } });
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(events.find((e): e is CellFinished => e.type === 'cell.finished')).toMatchObject({ status: 'skipped', unavailable: true });
    expect(started(events)?.cells[0]?.plan).toMatchObject({
      willRun: false,
      whyNot: { reason: 'missing-command', message: 'railway-nope not found on PATH' },
      needs: [{ name: 'railway-nope', found: false }],
    });
    // The value the skipped cell would need is not asked for; list says the same with --check-commands, and leaves it to the run without.
    const env = { PATH: `${process.env.PATH}:${PWSH_DIR}`, RUNBOOK_DATABASE_URL: '' };
    const plan = async (...flags: string[]) => (JSON.parse((await runCli(['list', join(dir, 'needs.md'), '--json', ...flags], { env })).stdout) as { cells: { plan: object }[] }).cells[0]?.plan;
    expect(await plan('--check-commands')).toMatchObject({ willRun: true, needs: [{ name: 'railway-nope', found: false }] });
    const unchecked = await plan();
    expect(unchecked).toMatchObject({ willRun: true, needsUnread: expect.stringContaining('--check-commands') });
    expect(unchecked).not.toHaveProperty('needs');
  }, 60_000);
});

describe('interpreters', () => {
  it('`interpreter="bash -x"` runs, traced; `interpreter=./tools/mysh` runs from another directory', async () => {
    const dir = tempDir('runbook-interp-');
    mkdirSync(join(dir, 'tools'));
    writeFileSync(join(dir, 'tools', 'mysh'), '#!/bin/sh\necho "mysh ran"\nexec /bin/sh "$@"\n');
    chmodSync(join(dir, 'tools', 'mysh'), 0o755);
    writeFileSync(
      join(dir, 'book.md'),
      ['# Interpreters', '## Steps', '```sh {name=traced interpreter="bash -x"}', 'echo traced-cell', '```', '```sh {name=mine interpreter=./tools/mysh}', 'echo "in $(pwd)"', '```', ''].join('\n'),
    );
    const elsewhere = tempDir('runbook-elsewhere-');
    const transcript = join(elsewhere, 't.jsonl');
    const result = await runCli(['run', join(dir, 'book.md'), '--yes', '--transcript', transcript], { cwd: elsewhere, env: { RUNBOOK_DATABASE_URL: '' } });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).not.toMatch(/not on PATH|skipping/);
    const events = parseLines(readFileSync(transcript, 'utf8'));
    const finished = events.filter((e): e is CellFinished => e.type === 'cell.finished').map((e) => `${e.cell}:${e.status}`);
    expect(finished).toEqual(['traced:succeeded', 'mine:succeeded']);
    const output = (cell: string, stream: string) =>
      events.filter((e) => e.type === 'cell.output' && e.cell === cell && e.stream === stream).map((e) => (e.type === 'cell.output' ? e.data : '')).join('');
    expect(output('traced', 'stdout')).toContain('traced-cell');
    expect(output('traced', 'stderr')).toContain('+ echo traced-cell');
    expect(output('mine', 'stdout')).toBe(`mysh ran\nin ${dir}\n`);
  }, 60_000);

  it('a missing interpreter is named once, with all its cells', async () => {
    const dir = tempDir('runbook-interp-');
    writeFileSync(join(dir, 'book.md'), ['# M', '## S', '```sh {name=a interpreter=./nope}', 'true', '```', '```sh {name=b interpreter=./nope}', 'true', '```', ''].join('\n'));
    const transcript = join(dir, 't.jsonl');
    const result = await runCli(['run', join(dir, 'book.md'), '--yes', '--transcript', transcript], { env: { RUNBOOK_DATABASE_URL: '' } });
    expect(result.code, 'nothing failed, nothing ran: incomplete').toBe(3);
    const preflight = parseLines(readFileSync(transcript, 'utf8')).find((e): e is PreflightEvent => e.type === 'run.preflight');
    expect(preflight?.problems).toEqual([
      { kind: 'missing-interpreter', message: `./nope is not an executable file (relative to ${dir}); skipping a, b`, cells: ['a', 'b'], fatal: false },
    ]);
  }, 60_000);
});

describe('runbooks/dragonfly.md --yes asks only for the values of cells that will run', () => {
  const problemsWith = async (path: string) => {
    const dir = tempDir('runbook-values-');
    const transcript = join(dir, 't.jsonl');
    // An unreachable target: preflight stops the run before any cell, and records every problem it found.
    const result = await runCli(['run', 'runbooks/dragonfly.md', '--yes', '--db', UNREACHABLE, '--transcript', transcript], {
      env: { PATH: path, GOOD_SHA: '', timestamp: '', RUNBOOK_DATABASE_URL: '' },
    });
    const events = parseLines(readFileSync(transcript, 'utf8'));
    expect(events.some((e) => e.type === 'cell.started')).toBe(false);
    const preflight = events.find((e): e is PreflightEvent => e.type === 'run.preflight');
    // What preflight found is read from the record: a refused run prints only its refusal (on stderr).
    const found = (preflight?.problems ?? []).map((p) => p.message).join('\n');
    return { result, found, missing: preflight?.problems.filter((p) => p.kind === 'missing-variable').map((p) => p.cells.join() + ':' + p.message.split(' ')[3]) };
  };

  it('without pwsh: no <GOOD_SHA>, no <timestamp> (only the skipped rollback cell uses them)', async () => {
    const { result, found, missing } = await problemsWith(NO_PWSH_PATH);
    expect(result.code).toBe(2);
    expect(missing).toEqual([]);
    expect(result.stderr + result.stdout).not.toMatch(/GOOD_SHA|timestamp/);
    expect(found).toMatch(/pwsh is not on PATH; skipping 1-immediate-containment-2-min, env-hygiene, apply-missing-grants-rls, rollback-if-bad-deploy, 4-verification/);
  }, 60_000);

  it.skipIf(!hasPwsh)('with pwsh and railway on PATH: both; with pwsh but no railway, the rollback cell is skipped and needs neither (skipped here when /root/.dotnet/tools/pwsh is absent)', async () => {
    const bin = tempDir('runbook-railway-');
    writeFileSync(join(bin, 'railway'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const both = await problemsWith(`${bin}:${PWSH_DIR}:${NO_PWSH_PATH}`);
    expect(both.result.code).toBe(2);
    expect(both.missing).toEqual(['rollback-if-bad-deploy:<GOOD_SHA>', 'rollback-if-bad-deploy:<timestamp>']);
    expect(both.result.stderr).toMatch(/no value for <GOOD_SHA>/);
    const none = await problemsWith(`${PWSH_DIR}:${NO_PWSH_PATH}`);
    expect(none.missing).toEqual([]);
    expect(none.found).toMatch(/railway is not on PATH; skipping .*rollback-if-bad-deploy/);
  }, 90_000);
});

describe('a refused run touches nothing', () => {
  it.each([
    ['an unknown --only cell', ['--only', 'r1,nosuch']],
    ['a malformed --var', ['--var', 'novalue']],
    ['a malformed --db', ['--db', 'not a url']],
  ])('%s: exit 2, no transcript, no lock, no sandbox', async (_what, flags) => {
    const dir = tempDir('runbook-refused-');
    const transcript = join(dir, 'sub', 't.jsonl');
    const result = await runCli(['run', join(ROOT, 'test', 'fixtures', 'runbooks', 'resume-vars.md'), '--yes', '--transcript', transcript, ...flags], {
      env: { RUNBOOK_SANDBOX_DIR: join(dir, 'sandbox'), RUNBOOK_DATABASE_URL: '' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);
});
