/**
 * Small things an on-call engineer saw, each pinned: a placeholder in a checklist item is
 * shown as written; lint says which attribute a typo meant, and a misspelt safety
 * attribute (confirm, readonly, timeout, skip) is an error that lint and run both refuse.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../src/engine/parse.js';
import { CLI, tempDir } from './runner-support.js';

describe('checklist items', () => {
  it('keep a placeholder as written; HTML tags still go', () => {
    const runbook = parseRunbook('# T\n\n## After\n\n- [ ] Ticket <TICKET> updated\n- [ ] Status page <b>closed</b> at <timestamp>\n', 't.md');
    expect(runbook.checklist.map((c) => c.text)).toEqual(['Ticket <TICKET> updated', 'Status page closed at <timestamp>']);
  });
});

describe('misspelt attributes', () => {
  const dir = tempDir('runbook-misspelt-');
  const file = join(dir, 'misspelt.md');
  writeFileSync(file, '# T\n\n## A\n\n```sh {name=w confrim}\necho wrote > marker\n```\n\n```sh {name=t timout=5s}\nsleep 0\n```\n\n```sh {name=u nmae=x colour=red}\necho z\n```\n');

  it('lint: an error with the fix for a safety attribute, a did-you-mean for the rest', () => {
    const out = spawnSync(process.execPath, [CLI, 'lint', file], { encoding: 'utf8' });
    expect(out.status).toBe(1);
    expect(out.stdout).toContain(`${file}:5:1: error: attribute "confrim" on cell w is not known; did you mean "confirm"?`);
    expect(out.stdout).toContain(`${file}:9:1: error: attribute "timout" on cell t is not known; did you mean "timeout"?`);
    expect(out.stdout).toContain('warning: unknown attribute "nmae" on cell u; did you mean "name"?');
    expect(out.stdout).toMatch(/warning: unknown attribute "colour" on cell u; known: name, /);
  });

  it('run: refused before anything runs, even unattended', () => {
    const out = spawnSync(process.execPath, [CLI, 'run', file, '--yes', '--transcript', join(dir, 'run.jsonl')], { encoding: 'utf8', cwd: dir });
    expect(out.status).toBe(2);
    expect(out.stderr.trim()).toBe(`runbook: ${file}:5:1: error: attribute "confrim" on cell w is not known; did you mean "confirm"? Without it the cell runs without that protection; fix it before running`);
    expect(existsSync(join(dir, 'marker'))).toBe(false);
  });
});

describe('the CLI says each thing once, in one line', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: tempDir('runbook-cli-nits-') });

  it('no doubled prefix: runbook timeline: …', () => {
    const out = run('timeline');
    expect(out.stderr).toBe('runbook timeline: name a transcript, or the log: runbook timeline --log URL --incident ID\n');
  });

  it('an unknown option and its suggestion on one line', () => {
    const out = run('run', 'x.md', '--varr', 'X=1');
    expect(out.status).toBe(2);
    expect(out.stderr).toBe("runbook: unknown option '--varr' (did you mean --var?); see runbook --help\n");
  });

  it('run --help names the default transcript as it is made', () => {
    expect(run('run', '--help').stdout.replace(/\s+/g, ' ')).toContain('./transcripts/<runbook file name>-<run id>.jsonl, under the current directory; the run id starts with the UTC time');
  });

  it('a missing runbook: the path it looked for, not this repository\'s layout', () => {
    const out = run('run', 'nope.md', '--yes');
    expect(out.stderr).toMatch(/^runbook: nope\.md: no such file; check the path \(looked for \/.*\/nope\.md\)\n$/);
    expect(out.stderr).not.toContain('runbooks/*.md');
  });

  it('a preflight refusal: the reason once, on stderr; no header on stdout, the transcript named once', () => {
    const dir = tempDir('runbook-refused-');
    const file = join(dir, 'needs.md');
    writeFileSync(file, '# Needs\n\n## A\n\n```sh {name=a readonly}\necho <NEEDED>\n```\n');
    const out = spawnSync(process.execPath, [CLI, 'run', file, '--yes', '--transcript', join(dir, 'run.jsonl')], { encoding: 'utf8' });
    expect(out.status).toBe(2);
    expect(out.stderr).toBe('runbook: no value for <NEEDED> (used by a); pass --var NEEDED=VALUE or set NEEDED in the environment\n');
    expect(out.stdout).not.toContain('no value for');
    // Where the record is, said once: nothing came between the opening line and the end.
    expect(out.stdout).toBe(`transcript: ${join(dir, 'run.jsonl')}\n`);
  });
});
