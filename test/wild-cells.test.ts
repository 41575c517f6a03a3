/**
 * What real runbooks put inside and around their fences: empty attribute values,
 * attributes anywhere in the info string, language-less fences with attributes, more shell
 * tags, kebab-case and dotted placeholders, and console sessions (`$ ` prompts and output).
 */
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { readInfoString } from '../src/engine/markdown/attributes.js';
import { readConsoleSession } from '../src/engine/markdown/console-session.js';
import { parseRunbook } from '../src/engine/parse.js';
import { bindPlaceholders } from '../src/engine/placeholders.js';
import { parseVarFlags } from '../src/engine/variables.js';

const cells = (markdown: string) => parseRunbook(`# Doc\n\n${markdown}`, 'doc.md').cells;

describe('attributes', () => {
  it('reads an empty value as empty and never lets it swallow the next key (Runme: first: "", second: "2")', () => {
    expect(readInfoString('sh {name=echo first= second=2}').attributes).toEqual({ name: 'echo', first: '', second: '2' });
    expect(readInfoString('sh {name=wipe cwd= skip}').attributes).toEqual({ name: 'wipe', cwd: '', skip: true });
    expect(readInfoString('sh {confirm= timeout=5s}').attributes).toEqual({ confirm: true, timeout: '5s' });
    expect(readInfoString('sh {"name":"x","confirm":""}').attributes).toEqual({ name: 'x', confirm: true });
  });

  it('an empty readonly= never relaxes the write guard: it is refused with a reason', () => {
    const info = readInfoString('sql {readonly= name=q}');
    expect(info.attributes).toEqual({ name: 'q' });
    expect(info.problems).toEqual(['attribute readonly must be true or false, got ""']);
  });

  it('still reads spaced and quoted values', () => {
    expect(readInfoString("sql {name = q, timeout='30s' db=\"a b\"}").attributes).toEqual({ name: 'q', timeout: '30s', db: 'a b' });
  });

  it('finds the attributes anywhere in the info string', () => {
    expect(readInfoString('sh title="x.sh" {name=later}')).toMatchObject({ tag: 'sh', attributes: { name: 'later' } });
    expect(cells('```sh title="x.sh" {name=later}\necho\n```\n').map((c) => c.id)).toEqual(['later']);
  });

  it('knows Runme keys: id silently, excludeFromRunAll as a boolean, the rest kept and flagged', () => {
    const info = readInfoString('sh {"id":"01HF7BT3HBDTRGQAQMGP4A5DAJ","name":"x","excludeFromRunAll":"true","terminalRows":"18"}');
    expect(info.attributes).toEqual({ id: '01HF7BT3HBDTRGQAQMGP4A5DAJ', name: 'x', excludeFromRunAll: true, terminalRows: '18' });
    expect(info.unknownAttributes).toEqual(['terminalRows']);
  });
});

describe('which fences are cells', () => {
  it('a fence without a language but with attributes is a shell cell; without attributes it stays documentation', () => {
    const found = cells('```{"name":"foo"}\necho foo\n```\n\n``` {name=bar}\necho bar\n```\n\n```\nplain output\n```\n');
    expect(found.map((c) => [c.id, c.lang, c.tag])).toEqual([['foo', 'sh', ''], ['bar', 'sh', '']]);
  });

  it('shellscript, zsh and fish are shell cells; zsh and fish run in their own shell', () => {
    const found = cells('```shellscript\necho a\n```\n\n```zsh\necho b\n```\n\n```fish {interpreter=/opt/fish}\necho c\n```\n');
    expect(found.map((c) => [c.lang, c.attributes.interpreter])).toEqual([['sh', undefined], ['sh', 'zsh'], ['sh', '/opt/fish']]);
  });

  it('ignore and transform=false make a fence documentation', () => {
    expect(cells('```sh {ignore}\necho a\n```\n\n```sh {"transform":"false"}\necho b\n```\n\n```sh {transform=true}\necho c\n```\n').map((c) => c.source))
      .toEqual(['echo c']);
  });
});

describe('placeholders with - and .', () => {
  it('finds <pod-name>, <app.version> and <insert-env-here> in every language; never <-, <1> or <a->', () => {
    expect(cells('```sh\nkubectl describe <pod-name> -n <ns> | grep <app.version> <- <1> <a->\n```\n')[0]!.placeholders).toEqual(['pod-name', 'ns', 'app.version']);
    expect(cells('```sql\nSELECT * FROM t WHERE id = <row-id>;\n```\n')[0]!.placeholders).toEqual(['row-id']);
    expect(cells('```powershell\nGet-AzVM -ResourceGroupName <resource-group>\n```\n')[0]!.placeholders).toEqual(['resource-group']);
  });

  it('keeps redirections, heredocs, here-strings and process substitution what they are', () => {
    const source = 'sort <in.txt >out.txt\ncat <<EOF\nbody\nEOF\ngrep x <<<"$y"\ndiff <(ls a) <(ls b)\n[[ 1 < 2 ]]';
    expect(cells(`\`\`\`sh\n${source}\n\`\`\`\n`)[0]!.placeholders).toEqual([]);
  });

  it('binds a kebab-case placeholder as a variable reference, never as text the shell reads as a redirection', () => {
    const bound = bindPlaceholders('sh', 'kubectl describe <pod-name> -n <ns>', ['pod-name', 'ns'], { 'pod-name': 'web-0; rm -rf /', ns: 'prod' });
    expect(bound.source).toBe('kubectl describe "${RUNBOOK_VAR_pod_name}" -n "${RUNBOOK_VAR_ns}"');
    expect(bound.env).toMatchObject({ RUNBOOK_VAR_pod_name: 'web-0; rm -rf /', RUNBOOK_VAR_ns: 'prod' });
  });

  it('binding a kebab-case placeholder leaves the redirections, heredocs and here-strings beside it alone', () => {
    const source = 'sort <in-file >out-file <pod-name>\ncat <<EOF\n<pod-name>\nEOF\ngrep <pod-name> <<<"$x"\ndiff <(ls) <(ls <pod-name>)';
    const bound = bindPlaceholders('sh', source, ['pod-name'], { 'pod-name': 'p' });
    expect(bound.source).toBe('sort <in-file >out-file "${RUNBOOK_VAR_pod_name}"\ncat <<EOF\n${RUNBOOK_VAR_pod_name}\nEOF\ngrep "${RUNBOOK_VAR_pod_name}" <<<"$x"\ndiff <(ls) <(ls "${RUNBOOK_VAR_pod_name}")');
  });

  it('--var accepts the names placeholders can have', () => {
    expect(parseVarFlags(['pod-name=a', 'app.version=1.2'])).toEqual({ 'pod-name': 'a', 'app.version': '1.2' });
    expect(() => parseVarFlags(['-x=1'])).toThrow(/expected NAME=VALUE/);
  });
});

describe('console sessions', () => {
  it('runs the prompted commands with their continuations; the rest is expected output', () => {
    const written = [
      '$ kubectl get pods \\',
      '    -n monitoring',
      'NAME      READY   STATUS',
      'prom-0    2/2     Running',
      '',
      '$ echo done',
      'done',
    ].join('\n');
    const session = readConsoleSession(written, 'sh')!;
    expect(session).toMatchObject({ prompt: '$', commands: 2, outputLines: 3, source: 'kubectl get pods \\\n    -n monitoring\necho done', sourceLines: [1, 2, 6] });
    expect(session.lines.map((l) => l.kind)).toEqual(['command', 'command', 'output', 'output', 'output', 'command', 'output']);
  });

  it('is decided by the first non-blank line: a script that shows a prompt later is not a session', () => {
    expect(readConsoleSession('echo hi\n$ not a prompt here', 'sh')).toBeUndefined();
    expect(readConsoleSession('# uses <NOT_THIS>\nNODE=$(hostname)', 'sh')).toBeUndefined();
    expect(readConsoleSession('$HOME/bin/run', 'sh')).toBeUndefined();
  });

  it('passes over comments above the first prompt, and takes root prompts inside a session', () => {
    const session = readConsoleSession('# Wait between restarts.\n$ sudo -i\n# gitlab-ctl status\nrun: puma\n# Restart it.', 'sh')!;
    expect(session.source).toBe('sudo -i\ngitlab-ctl status');
    expect(session.outputLines).toBe(3);
  });

  it('knows user@host and [root@host] prompts', () => {
    expect(readConsoleSession('root@db-01:/var/log/gitlab# gitlab-patronictl list\n+ Cluster +', 'sh')!.source).toBe('gitlab-patronictl list');
    expect(readConsoleSession('[root@host ~]# uptime\n 10:00 up', 'sh')!.source).toBe('uptime');
    expect(readConsoleSession('me@laptop:~$ ls\na b', 'sh')!.source).toBe('ls');
  });

  it('keeps a heredoc typed after a prompt as part of its command (Runme\'s own example)', () => {
    const session = readConsoleSession('$ cat > somefile << EOF\nline1\nline2\nEOF\n$ cat somefile\nline1', 'sh')!;
    expect(session.source).toBe('cat > somefile << EOF\nline1\nline2\nEOF\ncat somefile');
    expect(session.outputLines).toBe(1);
  });

  it('reads PowerShell prompts with backtick continuations and >> secondary prompts', () => {
    const session = readConsoleSession('PS C:\\> Get-Process `\n>> -Name pwsh\nHandles  NPM(K)\nPS> Get-Date\nMonday', 'powershell')!;
    expect(session).toMatchObject({ prompt: 'PS C:\\>', commands: 2, outputLines: 2, source: 'Get-Process `\n-Name pwsh\nGet-Date' });
    expect(readConsoleSession('PS> Get-Date', 'sh')!.source).toBe('Get-Date');
  });

  it('reads psql sessions in SQL fences, with continuation prompts', () => {
    const session = readConsoleSession('gitlabhq_production=# select id\ngitlabhq_production-#   from t;\n id\n----\n  1\n(1 row)', 'sql')!;
    expect(session).toMatchObject({ prompt: 'gitlabhq_production=#', commands: 1, outputLines: 4, source: 'select id\n  from t;' });
  });

  it('the cell model: source is what runs, session keeps what was written', () => {
    const [cell] = cells('```sh\n$ echo "<insert-env-here>"\n<insert-env-here>\n```\n');
    expect(cell).toMatchObject({ source: 'echo "<insert-env-here>"', placeholders: ['insert-env-here'] });
    expect(cell!.session!.written).toBe('$ echo "<insert-env-here>"\n<insert-env-here>');
  });
});

describe('frontmatter forms', () => {
  it('reads TOML frontmatter between +++ lines', () => {
    const runbook = parseRunbook('+++\ntitle = "Deploy"\nshell = "zsh"\n[variables.REGION]\ndescription = "where"\ndefault = \'eu\'\n+++\n\n## Go\n\n```sh\necho\n```\n', 'doc.md');
    expect(runbook.title).toBe('Deploy');
    expect(runbook.variables).toEqual([{ name: 'REGION', description: 'where', default: 'eu' }]);
    expect(runbook.cells[0]!.attributes.interpreter).toBe('zsh');
    expect(runbook.sections.map((s) => s.title)).toEqual(['Go']);
  });

  it('reports bad TOML as one frontmatter error at its document line and column', () => {
    const runbook = parseRunbook('+++\ntitle = "Deploy\n+++\n', 'doc.md');
    expect(runbook.diagnostics.map((d) => [d.rule, d.line, d.column, d.message])).toEqual([
      ['frontmatter', 2, 9, 'frontmatter is not valid TOML: unfinished string at line 1, column 9'],
    ]);
  });

  it('reads the TOML a hand-written reader refused: multi-line arrays, """ strings, [[tables]], dates', () => {
    const toml = [
      '+++',
      'title = """',
      'Failover',
      'drill"""',
      'tags = [',
      '  "db",  # the primary',
      '  "dns",',
      ']',
      'when = 1979-05-27T07:32:00Z',
      'day = 1979-05-27',
      '[variables.REGION]',
      "description = '''where it runs'''",
      '[[owners]]',
      'name = "sre"',
      '[[owners]]',
      'name = "dba"',
      '+++',
      '',
      '## Go',
      '',
      '```sh',
      'echo',
      '```',
      '',
    ].join('\n');
    const runbook = parseRunbook(toml, 'doc.md');
    expect(runbook.diagnostics).toEqual([]);
    expect(runbook.title).toBe('Failover\ndrill');
    expect(runbook.frontmatter).toMatchObject({
      tags: ['db', 'dns'],
      when: '1979-05-27T07:32:00.000Z',
      day: '1979-05-27',
      owners: [{ name: 'sre' }, { name: 'dba' }],
    });
    expect(runbook.variables).toEqual([{ name: 'REGION', description: 'where it runs' }]);
    expect(runbook.cells.map((c) => c.line)).toEqual([21]);
  });

  it('loads the TOML reader only for a +++ block', async () => {
    // Forget the reader earlier tests loaded: a fresh parse module and an empty require cache entry.
    const cache = createRequire(import.meta.url).cache;
    const tomlModules = () => Object.keys(cache).filter((path) => /[\\/]smol-toml[\\/]/.test(path));
    for (const path of tomlModules()) delete cache[path];
    vi.resetModules();
    const fresh = await import('../src/engine/parse.js');
    fresh.parseRunbook('---\ntitle: YAML\n---\n\n```sh\necho\n```\n', 'doc.md');
    expect(tomlModules()).toEqual([]);
    expect(fresh.parseRunbook('+++\ntitle = "TOML"\n+++\n', 'doc.md').title).toBe('TOML');
    expect(tomlModules()).not.toEqual([]);
  });

  it('reads JSON frontmatter the way Runme writes it, and leaves a document that merely starts with { alone', () => {
    const runbook = parseRunbook('{\n  "runme": {\n    "id": "01HF7AX2R37KPNPH1MQ2KEEYGM",\n    "version": "v3"\n  },\n  "cwd": "sub"\n}\n\n```sh {"id":"01HF7BT3HBDTRGQAQMGP4A5DAJ"}\npwd\n```\n', 'doc.md');
    expect(runbook.frontmatter).toEqual({ runme: { id: '01HF7AX2R37KPNPH1MQ2KEEYGM', version: 'v3' }, cwd: 'sub' });
    expect(runbook.cells.map((c) => [c.line, c.attributes.cwd])).toEqual([[9, 'sub']]);
    expect(parseRunbook('{\nnot json\n}\n', 'doc.md').frontmatter).toEqual({});
  });

  it('takes "--- " with a trailing space as frontmatter, not a setext heading', () => {
    const runbook = parseRunbook('--- \ntitle: Spaced\n---  \n\n```sh\necho\n```\n', 'doc.md');
    expect(runbook).toMatchObject({ title: 'Spaced', sections: [] });
  });

  it('Runme frontmatter cwd is relative to the document; a cell cwd relative to it, an absolute one stays', () => {
    const runbook = parseRunbook('---\ncwd: ../../../\nshell: bash\n---\n\n```sh {"name":"a"}\npwd\n```\n\n```sh {"cwd":"../","name":"b"}\npwd\n```\n\n```sh {"cwd":"/opt","name":"c"}\npwd\n```\n', 'doc.md');
    expect(runbook.cells.map((c) => [c.id, c.attributes.cwd, c.attributes.interpreter])).toEqual([
      ['a', '../../../', undefined], ['b', '../../../../', undefined], ['c', '/opt', undefined],
    ]);
  });
});
