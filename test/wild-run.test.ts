/**
 * `runbook run` of what real runbooks hold: the built CLI and real bash. A console-session
 * cell runs its commands and nothing else; a kebab-case placeholder is asked for or
 * refused, never handed to the shell as a redirection.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellFinished, CellStarted, RunEvent } from '../src/engine/events.js';
import { onPath } from '../src/engine/process/which.js';
import { parseLines, runCli, tempDir } from './runner-support.js';

function runbookFile(markdown: string): { dir: string; file: string; transcript: string } {
  const dir = tempDir('runbook-wild-');
  const file = join(dir, 'doc.md');
  writeFileSync(file, markdown);
  return { dir, file, transcript: join(dir, 'run.jsonl') };
}

const events = (path: string): RunEvent[] => parseLines(readFileSync(path, 'utf8'));
const finished = (list: RunEvent[]) =>
  Object.fromEntries(list.filter((e): e is CellFinished => e.type === 'cell.finished').map((e) => [e.cell, e.status]));

describe('console-session cells', () => {
  it('run only the prompted commands: the output lines the author pasted are never run', async () => {
    const { dir, file, transcript } = runbookFile([
      '# Check', '', '```sh {name=check}', '$ echo "ran: $((6 * 7))" > result.txt', 'rm -rf result.txt', 'touch output-was-run',
      '$ cat result.txt', 'ran: 42', '```', '',
    ].join('\n'));
    const result = await runCli(['run', file, '--yes', '--transcript', transcript], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const list = events(transcript);
    expect(finished(list)).toEqual({ check: 'succeeded' });
    expect(list.find((e): e is CellStarted => e.type === 'cell.started')!.source).toBe('echo "ran: $((6 * 7))" > result.txt\ncat result.txt');
    expect(readFileSync(join(dir, 'result.txt'), 'utf8')).toBe('ran: 42\n');
    expect(() => readFileSync(join(dir, 'output-was-run'))).toThrow();
  });

  it('--dry-run shows what will run, without the prompts and the output', async () => {
    const { file } = runbookFile('# Pods\n\n```sh\n$ kubectl get pods\nNAME   READY\nweb-0  1/1\n```\n');
    const result = await runCli(['run', file, '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('kubectl get pods');
    expect(result.stdout).not.toContain('web-0');
  });
});

describe('kebab-case placeholders', () => {
  const doc = '# Describe\n\n```sh {name=describe}\necho "pod=<pod-name>" && cat <pod-name>\n```\n';

  it('unattended without a value: refused before the run with exit 2, nothing reaches the shell', async () => {
    const { dir, file, transcript } = runbookFile(doc);
    writeFileSync(join(dir, 'pod-name'), 'the shell read the placeholder as a redirection\n');
    const result = await runCli(['run', file, '--yes', '--transcript', transcript], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no value for <pod-name>/);
    expect(result.stdout).not.toContain('redirection');
    expect(finished(events(transcript))).toEqual({});
  });

  it('with --var the value is data: quotes, $() and ; stay text', async () => {
    const { dir, file, transcript } = runbookFile(doc);
    const value = 'web-0"; touch pwned; echo "$(id)';
    writeFileSync(join(dir, value), 'the file named by the value\n');
    const result = await runCli(['run', file, '--yes', '--var', `pod-name=${value}`, '--transcript', transcript], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`pod=${value}`);
    expect(result.stdout).toContain('the file named by the value');
    expect(() => readFileSync(join(dir, 'pwned'))).toThrow();
  });
});

describe('Runme attributes in a run', () => {
  const doc = [
    '# Teardown', '',
    '```sh {"name":"work"}', 'echo WORK-RAN', '```', '',
    '```sh {"name":"teardown","excludeFromRunAll":true}', 'echo TEARDOWN-RAN', '```', '',
  ].join('\n');

  it('excludeFromRunAll: left out of a whole run, run when named with --only or reached with --from', async () => {
    const { file } = runbookFile(doc);
    const whole = await runCli(['run', file, '--yes']);
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout).toContain('WORK-RAN');
    expect(whole.stdout).not.toContain('TEARDOWN-RAN');
    const only = await runCli(['run', file, '--yes', '--only', 'teardown']);
    expect(only.stdout).toContain('TEARDOWN-RAN');
    const from = await runCli(['run', file, '--yes', '--from', 'work']);
    expect(from.stdout).toContain('TEARDOWN-RAN');
  });

  it.skipIf(onPath('zsh'))('a zsh cell where zsh is missing is skipped with the reason (zsh is installed here)', async () => {
    const { file, transcript } = runbookFile('# Z\n\n```zsh {name=z}\necho in-zsh\n```\n\n```sh {name=after}\necho after\n```\n');
    const result = await runCli(['run', file, '--yes', '--transcript', transcript]);
    expect(result.code, result.stderr).toBe(3); // incomplete: a selected cell did not run
    expect(result.stdout).not.toContain('in-zsh');
    expect(events(transcript).filter((e) => e.type === 'cell.finished')).toMatchObject([
      { cell: 'z', status: 'skipped', reason: expect.stringMatching(/^zsh not found/) },
      { cell: 'after', status: 'succeeded' },
    ]);
  });
});

describe('runbook list of what real runbooks hold', () => {
  it('shows console sessions, Runme names and excluded cells in the outline and in --json', async () => {
    const { file } = runbookFile('# Pods\n\n```sh\n$ kubectl get pods\nNAME   READY\nweb-0  1/1\n```\n\n```sh {"name":"teardown","excludeFromRunAll":true}\necho bye\n```\n');
    const outline = await runCli(['list', file]);
    expect(outline.code, outline.stderr).toBe(0);
    expect(outline.stdout).toMatch(/pods +sh +line +3 +write +console session: 1 command, 2 output lines not run/);
    expect(outline.stdout).toMatch(/teardown +sh +line +9 +write +not in a whole run/);
    const json = JSON.parse((await runCli(['list', file, '--json'])).stdout) as { cells: { id: string; source: string; runmeName?: string; session?: { written: string } }[] };
    expect(json.cells[0]).toMatchObject({ id: 'pods', source: 'kubectl get pods', runmeName: 'kubectl-get', session: { written: '$ kubectl get pods\nNAME   READY\nweb-0  1/1' } });
  });
});

describe('hostile input from the wild', () => {
  it('{name=wipe cwd= skip}: the empty cwd does not swallow skip, so the cell is skipped and runs nothing', async () => {
    const { dir, file, transcript } = runbookFile('# Wipe\n\n```sh {name=wipe cwd= skip}\ntouch wiped\n```\n');
    await runCli(['run', file, '--yes', '--transcript', transcript], { cwd: dir });
    expect(events(transcript).find((e) => e.type === 'cell.finished')).toMatchObject({ cell: 'wipe', status: 'skipped' });
    expect(() => readFileSync(join(dir, 'wiped'))).toThrow();
  });

  it('a kebab-case placeholder in heredocs, double quotes and arithmetic: data everywhere, a non-integer refused where bash would evaluate it', async () => {
    const doc = '# H\n\n```sh {name=h}\ncat <<EOF\nnode=<node-name>\nEOF\necho "in quotes: <node-name>"\nrows=(a b c)\necho "${rows[<row-id>]}"\n```\n';
    const { dir, file, transcript } = runbookFile(doc);
    const value = 'ünï "$(touch pwned)" `touch pwned2` ${HOME}';
    const ok = await runCli(['run', file, '--yes', '--var', `node-name=${value}`, '--var', 'row-id=2', '--transcript', transcript], { cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`node=${value}`);
    expect(ok.stdout).toContain(`in quotes: ${value}`);
    expect(ok.stdout).toMatch(/^\s*c$/m);
    expect(() => readFileSync(join(dir, 'pwned'))).toThrow();
    expect(() => readFileSync(join(dir, 'pwned2'))).toThrow();
    const refused = await runCli(['run', file, '--yes', '--var', 'node-name=x', '--var', 'row-id=$(touch pwned3)', '--transcript', join(dir, 'b.jsonl')], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(() => readFileSync(join(dir, 'pwned3'))).toThrow();
  });

  it('a session with a 1 MB output line and 50,000 output lines runs its one command', async () => {
    const output = ['x'.repeat(1_000_000), ...Array.from({ length: 50_000 }, (_, i) => `row ${i} $(touch pwned) ; rm -rf .`)].join('\n');
    const { dir, file, transcript } = runbookFile(`# Big\n\n\`\`\`sh {name=big}\n$ echo one command\n${output}\n\`\`\`\n`);
    const result = await runCli(['run', file, '--yes', '--transcript', transcript], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(events(transcript).find((e): e is CellStarted => e.type === 'cell.started')!.source).toBe('echo one command');
    expect(() => readFileSync(join(dir, 'pwned'))).toThrow();
  }, 120_000);
});
