/** lintRunbook: what `runbook lint` reports, at the line and column an editor shows. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintRunbook } from '../src/engine/lint.js';
import { parseRunbook } from '../src/engine/parse.js';

const fixture = (name: string) => join(import.meta.dirname, 'fixtures', 'markdown', name);
const lintFixture = async (name: string) => {
  const text = readFileSync(fixture(name), 'utf8');
  return lintRunbook(parseRunbook(text, name), text);
};

describe('lintRunbook', () => {
  it('points at the broken SQL inside the document: top level, list item, blockquote', async () => {
    const diagnostics = await lintFixture('broken-sql.md');
    expect(diagnostics.map(({ line, column, severity, rule }) => [line, column, severity, rule])).toEqual([
      [7, 1, 'error', 'sql-syntax'],
      [16, 29, 'error', 'sql-syntax'],
      [23, 17, 'error', 'sql-syntax'],
    ]);
    const lines = readFileSync(fixture('broken-sql.md'), 'utf8').split('\n');
    expect(lines[6]!.slice(0)).toMatch(/^SELEC 2;/);
    expect(lines[15]!.slice(28)).toMatch(/^= 'x';/);
    expect(lines[22]!.slice(16)).toBe(';');
    expect(diagnostics[0]!.message).toBe('SQL in cell top-level: syntax error at or near "SELEC"');
  });

  it('does not report SQL that only holds placeholders', async () => {
    const diagnostics = await lintFixture('broken-sql.md');
    expect(diagnostics.some((d) => d.message.includes('with-placeholders'))).toBe(false);
  });

  it('reports duplicate names as errors; unknown attributes, heading-less cells and a fence left open at the very end as warnings', async () => {
    const diagnostics = await lintFixture('problems.md');
    expect(diagnostics.map(({ line, severity, rule }) => [line, severity, rule])).toEqual([
      [1, 'warning', 'no-heading'],
      [9, 'warning', 'unknown-attribute'],
      [15, 'error', 'duplicate-name'],
      [19, 'warning', 'unclosed-fence'],
    ]);
    expect(diagnostics[3]!.message).toBe('code fence is never closed; it ends with the document, add a closing fence');
    expect(diagnostics[1]!.message).toMatch(/unknown attribute "flavour" on cell same; known: name, timeout/);
  });

  it('finds nothing wrong with runbooks/dragonfly.md but its $SUPABASE_DB_URL in PowerShell (warnings: see below)', async () => {
    const text = readFileSync(join(import.meta.dirname, '..', 'runbooks', 'dragonfly.md'), 'utf8');
    const diagnostics = await lintRunbook(parseRunbook(text, 'dragonfly.md'), text);
    expect(diagnostics.map((d) => `${d.severity} ${d.rule}`)).toEqual(['warning powershell-env-variable', 'warning powershell-env-variable']);
  });

  it('reads a psql session in a sql fence: its SQL is checked, its output is not, one warning says so', async () => {
    const text = '# Q\n\n```sql\nprod=# select 1;\n ?column?\n----------\n        1\n(1 row)\n\nprod=# selec 2;\n```\n';
    const diagnostics = await lintRunbook(parseRunbook(text, 'q.md'), text);
    expect(diagnostics.map(({ line, column, severity, rule }) => [line, column, severity, rule])).toEqual([
      [3, 1, 'warning', 'console-session'],
      [10, 8, 'error', 'sql-syntax'],
    ]);
    expect(diagnostics[0]!.message).toBe('cell q is a console session (prompt "prod=#"): 2 commands run without the prompt, 4 lines of output are not run');
  });

  it('still explains a psql prompt that is not the first line of a sql fence', async () => {
    const text = '# Q\n\n```sql\nselect 1;\nprod=# select 2;\n```\n';
    const [diagnostic] = await lintRunbook(parseRunbook(text, 'q.md'), text);
    expect(diagnostic).toMatchObject({ line: 5, column: 1, rule: 'sql-syntax' });
    expect(diagnostic!.message).toMatch(/looks like a psql session \(prompt "prod=#"\)/);
  });

  it('an unclosed fence at the end that holds Markdown did swallow the document: an error', async () => {
    const text = '# Q\n\n```sql\nselect 1;\n\n## Next step\n\nMore prose.\n';
    const diagnostics = await lintRunbook(parseRunbook(text, 'q.md'), text);
    expect(diagnostics.map(({ line, severity, rule }) => [line, severity, rule])).toContainEqual([3, 'error', 'unclosed-fence']);
  });

  it('a placeholder that stands for SQL syntax is a warning, not an unfinished placeholder', async () => {
    const text = '# Q\n\n```sql\nEXPLAIN ANALYZE <query-statement-here>;\n```\n';
    const diagnostics = await lintRunbook(parseRunbook(text, 'q.md'), text);
    expect(diagnostics.map(({ line, severity, rule }) => [line, severity, rule])).toEqual([[4, 'warning', 'sql-placeholder']]);
    expect(diagnostics[0]!.message).toMatch(/can only be checked once <query-statement-here> has a value/);
  });

  it('names Runme attributes it does not support as such', async () => {
    const text = '# Q\n\n```sh {"id":"01HF7BT3HBDTRGQAQMGP4A5DAJ","terminalRows":"18","flavour":"x"}\necho\n```\n';
    const messages = (await lintRunbook(parseRunbook(text, 'q.md'), text)).map((d) => d.message);
    expect(messages).toEqual([
      'attribute "terminalRows" on cell q is a Runme attribute this tool does not support; it is ignored (see "Runme documents" in the README)',
      expect.stringMatching(/^unknown attribute "flavour" on cell q; known: name/),
    ]);
  });

  it('without the text, places SQL errors from the fence column', async () => {
    const text = readFileSync(fixture('broken-sql.md'), 'utf8');
    const diagnostics = await lintRunbook(parseRunbook(text, 'broken-sql.md'));
    expect(diagnostics.map((d) => [d.line, d.column])).toEqual([[7, 1], [16, 29], [23, 17]]);
  });

  it('warns, without failing, about a document with nothing to run', async () => {
    const diagnostics = await lintFixture('no-cells.md');
    expect(diagnostics.map(({ line, column, severity, rule }) => [line, column, severity, rule])).toEqual([[1, 1, 'warning', 'no-cells']]);
  });
});

describe('Runme interactive and background', () => {
  it('says what an interactive or background cell gets here; interactive=false is silent', async () => {
    const text = '# Q\n\n```sh {"name":"ask","interactive":true}\nread name\n```\n\n```sh {"name":"serve","background":"true"}\nsleep 100\n```\n\n```sh {"name":"plain","interactive":"false"}\necho\n```\n\n```sql {"name":"q","background":true}\nSELECT 1;\n```\n';
    const diagnostics = await lintRunbook(parseRunbook(text, 'q.md'), text);
    expect(diagnostics.map(({ line, rule }) => [line, rule])).toEqual([[3, 'runme-attribute'], [15, 'runme-attribute']]);
    expect(diagnostics[0]!.message).toMatch(/^cell ask is interactive: in the console it gets the terminal .*unattended runs give it no terminal and no input \(stdin is \/dev\/null\)/);
    expect(diagnostics[1]!.message).toBe('cell q is marked background, which applies to shell cells only: this SQL cell runs in the foreground and the run waits for it');
  });
});

describe('lint: an environment value read as a PowerShell variable', () => {
  const lint = (text: string) => lintRunbook(parseRunbook(text, 'ps.md'), text);

  it('runbooks/dragonfly.md: $SUPABASE_DB_URL, at each cell that reads it, with the fix', async () => {
    const path = join(import.meta.dirname, '..', 'runbooks', 'dragonfly.md');
    const text = readFileSync(path, 'utf8');
    const found = (await lintRunbook(parseRunbook(text, 'runbooks/dragonfly.md'), text)).filter((d) => d.rule === 'powershell-env-variable');
    expect(found.map(({ line, column, severity }) => [line, column, severity])).toEqual([[36, 6, 'warning'], [101, 6, 'warning']]);
    expect(found[0]!.message).toContain('did you mean `$env:SUPABASE_DB_URL`?');
    expect(text.split('\n')[35]!.slice(5)).toMatch(/^\$SUPABASE_DB_URL /);
  });

  it('says nothing where a cell sets the variable, for automatic variables, $env: reads, single quotes, or names nothing holds', async () => {
    const text = [
      '---', 'database: $SUPABASE_DB_URL', 'variables:', '  REGION: {}', '---', '# T', '',
      '```powershell', '$SUPABASE_DB_URL = $env:SUPABASE_DB_URL', '```', '',
      '```powershell', 'psql $SUPABASE_DB_URL', "Write-Output '$REGION' $HOME $env:PATH $PWD $NoSuchThing_xyz", '```', '',
    ].join('\n');
    expect((await lint(text)).filter((d) => d.rule === 'powershell-env-variable')).toEqual([]);
  });

  it('warns for a frontmatter variable and for the environment, case-insensitively, in a double-quoted string too', async () => {
    process.env.RUNBOOK_LINT_PROBE = 'x';
    try {
      const text = ['---', 'variables:', '  REGION: {}', '---', '# T', '', '```powershell', 'Write-Output "in $region"', 'Write-Output ${RUNBOOK_LINT_PROBE}', '```', ''].join('\n');
      const found = (await lint(text)).filter((d) => d.rule === 'powershell-env-variable');
      expect(found.map((d) => [d.line, d.column])).toEqual([[8, 18], [9, 14]]);
      expect(found[0]!.message).toContain('`$env:REGION`');
      expect(found[1]!.message).toContain('`$env:RUNBOOK_LINT_PROBE`');
    } finally {
      delete process.env.RUNBOOK_LINT_PROBE;
    }
  });
});
