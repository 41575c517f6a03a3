/**
 * Runme's own test data (../shared/corpus/runme, Apache-2.0): its txtar scripts state what
 * Runme expects (`exec runme run echo` → `stdout 'Hello, runme!'`). For each expectation
 * about which blocks are cells, their names and attributes, and what a run prints, a test
 * says whether this tool agrees; where it differs on purpose, the test names the difference
 * and the README's "Runme documents" section explains it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellFinished, RunEvent } from '../src/engine/events.js';
import { lintRunbook } from '../src/engine/lint.js';
import { parseRunbook } from '../src/engine/parse.js';
import { corpusDir } from './support/corpus.js';
import { readTxtar } from './support/txtar.js';
import { parseLines, runCli, tempDir } from './runner-support.js';

const RUNME = corpusDir('runme');

/** Writes a txtar's files into a fresh directory, as Runme's test harness does. */
function unpack(script: string): { dir: string; files: Map<string, string> } {
  const { files } = readTxtar(join(RUNME!, 'testdata', script));
  const dir = tempDir('runbook-runme-');
  for (const [name, text] of files) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return { dir, files };
}

const parseFrom = (script: string, file: string) => parseRunbook(readTxtar(join(RUNME!, 'testdata', script)).files.get(file)!, file);
const finished = (events: RunEvent[]) =>
  events.filter((e): e is CellFinished => e.type === 'cell.finished').map((e) => [e.cell, e.status]);

describe.skipIf(!RUNME)('Runme compatibility: which blocks are cells, and their names', () => {
  it('script/basic README: the shell fences are cells; js, python and go fences stay documentation (differs: Runme runs them)', () => {
    const runbook = parseFrom('script/basic.txtar', 'README.md');
    expect(runbook.cells.map((c) => [c.line, c.lang, c.attributes.name ?? null])).toEqual([
      [13, 'sh', null], [25, 'sh', null], [32, 'sh', 'echo'], [38, 'sh', null], [46, 'sh', null], [64, 'sh', null],
    ]);
    // `runme ls` lists echo without the run-all asterisk.
    expect(runbook.cells.find((c) => c.id === 'echo')!.attributes.excludeFromRunAll).toBe(true);
  });

  it('script/basic: Runme names unnamed cells from their first command, and so do we, numbered as Runme numbers them', () => {
    const runbook = parseFrom('script/basic.txtar', 'README.md');
    // Runme (golden-list-allow-unnamed.txt): echo-hello, echo-hello-2 (the language-less fence,
    // not a cell here), echo-inferred, echo, echo-1, echo-hello-3, tempdir, package-main (go).
    expect(runbook.cells.map((c) => c.runmeName ?? c.id)).toEqual(['echo-hello', 'echo-inferred', 'echo', 'echo-1', 'echo-hello-3', 'tempdir']);
  });

  it('tags/categories install-manual-solution-2: unnamed cells get Runme\'s stty-opost, stty-opost-2, echo-delete', () => {
    const runbook = parseFrom('tags/categories.txtar', 'install-manual-solution-2.md');
    expect(runbook.cells.map((c) => c.runmeName ?? c.id)).toEqual(['stty-opost', 'stty-opost-2', 'post-deployment-2', 'echo-delete']);
  });

  it('script/basic: the first command is the prompt-less line (`echo "Hello, runme!"`), as `runme ls` prints it', () => {
    const runbook = parseFrom('script/basic.txtar', 'README.md');
    expect(runbook.cells[0]!.source).toBe('echo "Hello, runme!"');
    expect(runbook.cells[3]!.source).toBe('echo "1"\necho "2"\necho "3"');
    expect(parseFrom('permissions/basic.txtar', 'README.md').cells.map((c) => [c.id, c.source])).toEqual([
      ['command1', 'echo "Hello, runme 1!"'], ['command2', 'echo "Hello, runme 2!"'],
    ]);
  });

  it('script/basic shellscript.md: a shellscript fence is a shell cell named run-shellscript', () => {
    expect(parseFrom('script/basic.txtar', 'shellscript.md').cells.map((c) => [c.id, c.lang])).toEqual([['run-shellscript', 'sh']]);
  });

  it('flags/fmt: fences without a language but with attributes are shell cells, JSON frontmatter is frontmatter', () => {
    expect(parseFrom('flags/fmt.txtar', 'README.md').cells.map((c) => [c.id, c.lang, c.tag])).toEqual([['bash-echo-1', 'sh', ''], ['bash-echo-2', 'sh', '']]);
    const lcid = parseFrom('flags/fmt.txtar', 'LCID-all.md');
    expect(lcid.frontmatter).toEqual({ runme: { id: '01HF7AX2R37KPNPH1MQ2KEEYGM', version: 'v3' } });
    expect(lcid.cells.map((c) => c.line)).toEqual([8, 16, 25]);
  });

  it('flags/fmt LCID-all: a heredoc typed after a prompt belongs to its command', () => {
    const [, second] = parseFrom('flags/fmt.txtar', 'LCID-all.md').cells;
    expect(second!.source).toBe('cat > somefile << EOF\nline1\nline2\nline3\nEOF\ncat somefile');
  });

  it('beta/tags and tags/categories: tag and category are kept; selecting by them is not supported (differs)', async () => {
    const runbook = parseFrom('beta/tags.txtar', 'TAGS.md');
    expect(runbook.cells.map((c) => [c.id, c.attributes.tag])).toEqual([['foo', 'foo'], ['bar', 'bar'], ['bar-baz', 'bar,baz']]);
    const warnings = (await lintRunbook(runbook)).filter((d) => d.rule === 'unknown-attribute').map((d) => d.message);
    expect(warnings[0]).toBe('attribute "tag" on cell foo is a Runme attribute this tool does not support; it is ignored (see "Runme documents" in the README)');
  });

  it('prompts/basic: Runme\'s generated ids are accepted without a word; promptEnv "", auto, yes and no are read as Runme reads them', async () => {
    const runbook = parseFrom('prompts/basic.txtar', 'PROMPTS.md');
    expect(runbook.cells.map((c) => c.attributes.id)).toEqual(['01HQQZ50CYM981N6X20VMRJYXV', '01HQQZ60MHZEDTXWG70PMXZNHH', '01HQQZ6WBD82EQ39ZR7N49XV7B', '01HQQZ7AYPP87D1MB6D06G9BTX']);
    expect(runbook.cells.map((c) => c.attributes.promptEnv)).toEqual(['auto', 'auto', 'yes', 'no']);
    const attributeWarnings = (await lintRunbook(runbook)).filter((d) => d.rule === 'unknown-attribute' || d.rule === 'attributes');
    expect(attributeWarnings).toEqual([]);
  });

  it('examples/envs: promptEnv=auto asks for the export lines of "vars" (quoted ones are defaults), promptEnv=no asks for none of "vars2"', async () => {
    const file = join(RUNME!, 'examples/envs/README.md');
    const dir = tempDir('runbook-runme-');
    const refused = await runCli(['run', file, '--yes', '--only', 'vars', '--transcript', join(dir, 'a.jsonl')], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/no value for VAR_NAME3 .*\n.*no value for VAR_NAME4 /);
    const ran = await runCli(['run', file, '--yes', '--only', 'vars,vars2', '--var', 'VAR_NAME3=three', '--var', 'VAR_NAME4=four', '--transcript', join(dir, 'b.jsonl')], { cwd: dir });
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stdout).toMatch(/1\. Placeholder 1\n.*2\. Placeholder 2\n.*3\. three\n.*4\. four/s);
    expect(ran.stdout).toMatch(/5\. Placeholder 5\n.*6\. Placeholder 6/s);
  });

  it('examples: lint reports no error on any of Runme\'s example documents', async () => {
    const names = ['README.md', 'examples/README.md', 'examples/envs/README.md', 'examples/grpc-client/hello.md', 'examples/grpc-samples/services.md',
      'examples/grpc-samples/setup.md', 'examples/frontmatter/cwd/RELATIVE.md', 'examples/frontmatter/skipPrompts/ENABLED.md', 'examples/frontmatter/shells/ZSH.md'];
    for (const name of names) {
      const text = readFileSync(join(RUNME!, name), 'utf8');
      const errors = (await lintRunbook(parseRunbook(text, name), text)).filter((d) => d.severity === 'error');
      expect(errors, name).toEqual([]);
    }
  });

  it('examples/frontmatter/shells: shell: zsh runs the cells in zsh; shell: bash keeps the shared bash session', () => {
    const zsh = parseRunbook(readFileSync(join(RUNME!, 'examples/frontmatter/shells/ZSH.md'), 'utf8'), 'ZSH.md');
    expect(zsh.cells[0]!.attributes.interpreter).toBe('zsh');
    const bash = parseRunbook(readFileSync(join(RUNME!, 'examples/frontmatter/shells/BASH.md'), 'utf8'), 'BASH.md');
    expect(bash.cells[0]!.attributes.interpreter).toBeUndefined();
  });
});

describe.skipIf(!RUNME)('Runme compatibility: what a run prints', () => {
  it('script/basic: `runme run echo` prints Hello, runme!; so does --only with the Runme names echo-1 and tempdir', async () => {
    const { dir } = unpack('script/basic.txtar');
    const echo = await runCli(['run', join(dir, 'README.md'), '--yes', '--only', 'echo', '--transcript', join(dir, 'a.jsonl')], { cwd: dir });
    expect(echo.code, echo.stderr).toBe(0);
    expect(echo.stdout).toContain('Hello, runme!');
    const more = await runCli(['run', join(dir, 'README.md'), '--yes', '--only', 'echo-1,tempdir', '--transcript', join(dir, 'b.jsonl')], { cwd: dir });
    expect(more.code, more.stderr).toBe(0);
    expect(more.stdout).toMatch(/1\n(?:.*\n)*?.*2\n(?:.*\n)*?.*3\n/);
    expect(more.stdout).toContain('hi!');
    const shellscript = await runCli(['run', join(dir, 'shellscript.md'), '--yes', '--only', 'run-shellscript', '--transcript', join(dir, 'c.jsonl')], { cwd: dir });
    expect(shellscript.stdout).toContain('Runs as shell script');
  });

  it('flags/include_indicator: an excludeFromRunAll cell is left out of a whole run and runs when named', async () => {
    const { dir } = unpack('flags/include_indicator.txtar');
    const whole = await runCli(['run', join(dir, 'EXCLUDED.md'), '--yes', '--transcript', join(dir, 'a.jsonl')], { cwd: dir });
    expect(whole.code, whole.stderr).toBe(0);
    expect(finished(parseLines(readFileSync(join(dir, 'a.jsonl'), 'utf8')))).toEqual([]);
    const named = await runCli(['run', join(dir, 'EXCLUDED.md'), '--yes', '--only', 'excluded', '--transcript', join(dir, 'b.jsonl')], { cwd: dir });
    expect(named.stdout).toContain('excluded');
    expect(finished(parseLines(readFileSync(join(dir, 'b.jsonl'), 'utf8')))).toEqual([['excluded', 'succeeded']]);
  });

  it('script/exitcode: a missing command fails the cell with exit code 127 and the shell\'s message', async () => {
    const { dir } = unpack('script/exitcode.txtar');
    const result = await runCli(['run', join(dir, 'README.md'), '--yes', '--only', 'test-multiline', '--transcript', join(dir, 'a.jsonl')], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/failhereplease: (command )?not found/);
    expect(parseLines(readFileSync(join(dir, 'a.jsonl'), 'utf8')).find((e) => e.type === 'cell.finished')).toMatchObject({ cell: 'test-multiline', status: 'failed', exitCode: 127 });
  });

  it('runall/basic: the whole run leaves out `excluded`; print-foo needs the terminal Runme gives interactive cells (differs: unattended cells get none)', async () => {
    const { dir } = unpack('runall/basic.txtar');
    const result = await runCli(['run', join(dir, 'README.md'), '--yes', '--keep-going', '--transcript', join(dir, 'a.jsonl')], { cwd: dir });
    expect(result.code).toBe(1);
    expect(finished(parseLines(readFileSync(join(dir, 'a.jsonl'), 'utf8')))).toEqual([['set-env', 'succeeded'], ['print-foo', 'failed'], ['print-bar', 'failed']]);
    expect(result.stdout).toMatch(/stty: .*Inappropriate ioctl for device/);
  });

  it('runall/basic SKIP.md: lines after a `$ ` prompt without one are output here (differs: Runme runs them and prints foo-command)', () => {
    const [cell] = parseFrom('runall/basic.txtar', 'SKIP.md').cells;
    expect(cell!.source).toBe('stty -opost');
    expect(cell!.session!.lines.filter((l) => l.kind === 'output').map((l) => l.text)).toEqual(['export BAR="foo-command"', 'echo $BAR']);
  });

  it('examples/frontmatter/cwd/RELATIVE.md: cwd: ../../../ is relative to the document; a cell cwd is relative to that', async () => {
    const file = join(RUNME!, 'examples/frontmatter/cwd/RELATIVE.md');
    const dir = tempDir('runbook-runme-');
    const result = await runCli(['run', file, '--yes', '--transcript', join(dir, 'a.jsonl')], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const printed = parseLines(readFileSync(join(dir, 'a.jsonl'), 'utf8')).filter((e) => e.type === 'cell.output').map((e) => (e as { data: string }).data.trim());
    expect(printed).toEqual([RUNME, dirname(RUNME!), '/opt']);
  });

  it('examples/frontmatter/skipPrompts: <insert-env-here> is a placeholder: an unattended run refuses without a value (differs: Runme runs the text as written)', async () => {
    const file = join(RUNME!, 'examples/frontmatter/skipPrompts/ENABLED.md');
    const dir = tempDir('runbook-runme-');
    const refused = await runCli(['run', file, '--yes', '--transcript', join(dir, 'a.jsonl')], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/no value for <insert-env-here>/);
    const given = await runCli(['run', file, '--yes', '--var', 'insert-env-here=staging', '--transcript', join(dir, 'b.jsonl')], { cwd: dir });
    expect(given.code, given.stderr).toBe(0);
    expect(given.stdout).toContain('ENV=staging');
  });
});
