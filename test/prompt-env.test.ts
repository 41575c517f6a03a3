/**
 * Runme's promptEnv: a shell cell's top-level `export NAME=WORD` lines are values the run
 * asks for (tests of which lines count, how the plan carries them, and how a run binds them:
 * a value reaches the shell only as RUNBOOK_VAR_<NAME>, never as text in the source).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellStarted, RunEvent, RunStarted, VariableBound } from '../src/engine/events.js';
import { parseRunbook } from '../src/engine/parse.js';
import { planRun } from '../src/engine/plan/index.js';
import { findExportPrompts } from '../src/engine/lang/sh/prompt-env.js';
import { fixture, parseLines, runCli, tempDir } from './runner-support.js';

const FIXTURE = fixture('prompt-env.md');
const output = (events: RunEvent[]) => events.filter((e) => e.type === 'cell.output').map((e) => (e as { data: string }).data).join('');

describe('which export lines are prompts (Runme\'s rule, read with mvdan/sh)', () => {
  it('a quoted value is a default, a bare word a hint, an empty value neither; expansions, nesting and placeholders are not prompts', async () => {
    const source = [
      `export A="x é"`, `export B='single quoted'`, `export C=Message`, `export D=""`, `export E=`,
      'export F=$(date)', 'export G="$HOME/x"', 'export H=${H:-dflt}', 'if true; then export I=1; fi', 'export J=1 K=2',
      'export L="<insert-env-here>"', 'echo <GOOD_SHA> && export M=2', 'export N=1 >/dev/null', '# export O=1', 'export P=*.txt', 'export Q=x;',
    ].join('\n');
    const found = await findExportPrompts(source);
    expect(found.map(({ name, written, kind, line }) => [name, written, kind, line])).toEqual([
      ['A', 'x é', 'default', 1], ['B', 'single quoted', 'default', 2], ['C', 'Message', 'hint', 3], ['D', '', 'none', 4], ['E', '', 'none', 5], ['Q', 'x', 'hint', 16],
    ]);
    // Offsets are string offsets: the unicode value's span is exactly its quoted text.
    expect(source.slice(found[0]!.start, found[0]!.end)).toBe('"x é"');
  });

  it('a source the shell parser rejects has no prompts (the shell reports the error when it runs)', async () => {
    expect(await findExportPrompts('export A="x"\nif then')).toEqual([]);
  });
});

describe('the plan: one place for which values a cell asks for', () => {
  it('a Runme notebook asks by default; promptEnv=no, skipPrompts and a document not written by Runme do not', async () => {
    const runbook = parseRunbook(readFileSync(FIXTURE, 'utf8'), FIXTURE);
    const plan = await planRun({ runbook, mode: 'unattended' });
    expect(plan.cells.map((c) => (c.prompts ?? []).map((p) => p.name))).toEqual([['REGION', 'TAG', 'TICKET', 'EMPTY'], []]);
    expect(plan.cells[0]!.prompts![0]).toEqual({ name: 'REGION', written: 'eu-west-1', kind: 'default', always: false, line: 12 });
    expect(plan.neededValues).toEqual(['REGION', 'TAG', 'TICKET', 'EMPTY']);

    const skipping = parseRunbook(readFileSync(FIXTURE, 'utf8').replace('version: v3', 'version: v3\nskipPrompts: true'), FIXTURE);
    expect((await planRun({ runbook: skipping })).neededValues).toEqual([]);
    const plain = parseRunbook('# T\n\n```sh\nexport A="1"\n```\n\n```sh {promptEnv=yes}\nexport B=2\n```\n', 'plain.md');
    const planned = await planRun({ runbook: plain });
    expect(planned.cells.map((c) => c.prompts?.map((p) => [p.name, p.always]))).toEqual([undefined, [['B', true]]]);
  });

  it('list --json and run.started carry the prompts in each cell\'s plan', async () => {
    const listed = await runCli(['list', FIXTURE, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const outline = await runCli(['list', FIXTURE]);
    expect(outline.stdout).toMatch(/vars +sh +line 11 +write +asks: REGION="eu-west-1" TAG="release one" TICKET\? EMPTY\?\n/);
    expect(outline.stdout).toMatch(/quiet +sh +line 22 +write\n/);
    const cells = (JSON.parse(listed.stdout) as { cells: { id: string; plan: { prompts?: { name: string }[] } }[] }).cells;
    expect(cells[0]!.plan.prompts!.map((p) => p.name)).toEqual(['REGION', 'TAG', 'TICKET', 'EMPTY']);
    const dir = tempDir('runbook-prompt-env-');
    await runCli(['run', FIXTURE, '--yes', '--var', 'TICKET=1', '--var', 'EMPTY=2', '--transcript', join(dir, 't.jsonl')]);
    const started = parseLines(readFileSync(join(dir, 't.jsonl'), 'utf8')).find((e): e is RunStarted => e.type === 'run.started')!;
    expect(started.cells![0]!.plan!.prompts!.map((p) => p.kind)).toEqual(['default', 'default', 'hint', 'none']);
  });
});

describe('an unattended run', () => {
  it('takes a quoted written value, refuses before the run (exit 2) when a hint or empty value has no --var or environment value', async () => {
    const dir = tempDir('runbook-prompt-env-');
    const refused = await runCli(['run', FIXTURE, '--yes', '--transcript', join(dir, 'a.jsonl')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('no value for TICKET (export TICKET=… in vars asks for it: promptEnv); pass --var TICKET=VALUE, set TICKET in the environment, or mark the cell promptEnv=no to run the line as written');
    expect(refused.stderr).toContain('no value for EMPTY');
    expect(parseLines(readFileSync(join(dir, 'a.jsonl'), 'utf8')).some((e) => e.type === 'cell.started')).toBe(false);

    const ran = await runCli(['run', FIXTURE, '--yes', '--var', 'TICKET=INC-9', '--transcript', join(dir, 'b.jsonl')], { env: { EMPTY: 'from-env', TAG: '' } });
    expect(ran.code, ran.stderr).toBe(0);
    const events = parseLines(readFileSync(join(dir, 'b.jsonl'), 'utf8'));
    expect(output(events)).toBe('eu-west-1\0release one\0INC-9\0from-env\0as written\0');
    const sources = Object.fromEntries(events.filter((e): e is VariableBound => e.type === 'variable.bound').map((e) => [e.name, e.source]));
    expect(sources).toEqual({ REGION: 'written', TAG: 'written', TICKET: 'flag', EMPTY: 'env' });
    const started = events.find((e): e is CellStarted => e.type === 'cell.started' && e.cell === 'vars')!;
    expect(started.source).toContain('export TICKET="${RUNBOOK_VAR_TICKET}"');
    expect(started.source).toContain('export COMPUTED=$(date +%s)');
    expect(started.values).toEqual({ REGION: 'eu-west-1', TAG: 'release one', TICKET: 'INC-9', EMPTY: 'from-env' });
  });

  it('hostile values (quotes, $(), a[$(…)], backquotes, unicode, newlines) arrive byte for byte as data and never become code', async () => {
    const dir = tempDir('runbook-prompt-env-');
    const marker = join(dir, 'pwned');
    const hostile = {
      REGION: `"; touch ${marker}; echo "`,
      TAG: `$(touch ${marker})'"\`touch ${marker}\``,
      TICKET: `a[$(touch ${marker})]`,
      EMPTY: 'line one\nline two ✓ 𝄞 中文\n$HOME ${IFS} *',
    };
    rmSync(marker, { force: true });
    const args = Object.entries(hostile).flatMap(([name, value]) => ['--var', `${name}=${value}`]);
    const ran = await runCli(['run', FIXTURE, '--yes', ...args, '--transcript', join(dir, 't.jsonl')]);
    expect(ran.code, ran.stderr).toBe(0);
    const events = parseLines(readFileSync(join(dir, 't.jsonl'), 'utf8'));
    expect(output(events)).toBe(`${Object.values(hostile).join('\0')}\0as written\0`);
    expect(existsSync(marker)).toBe(false);
    // The source as run names the variables; no value is spliced into it.
    const source = events.find((e): e is CellStarted => e.type === 'cell.started' && e.cell === 'vars')!.source;
    for (const value of Object.values(hostile)) expect(source).not.toContain(value);
    expect(source.split('\n').slice(0, 4)).toEqual([
      'export REGION="${RUNBOOK_VAR_REGION}"', 'export TAG="${RUNBOOK_VAR_TAG}"', 'export TICKET="${RUNBOOK_VAR_TICKET}"', 'export EMPTY="${RUNBOOK_VAR_EMPTY}"',
    ]);
  });
});
