/** The Markdown contract of DESIGN.md, read by parseRunbook. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as parse from '../src/engine/parse.js';
import { parseRunbook, readRunbookFile } from '../src/engine/parse.js';
import type { Runbook } from '../src/engine/runbook.js';

const ROOT = join(import.meta.dirname, '..');
const fixture = (name: string) => join(ROOT, 'test', 'fixtures', 'markdown', name);
const parseFixture = (name: string): Runbook => parseRunbook(readFileSync(fixture(name), 'utf8'), name);
const cell = (runbook: Runbook, id: string) => {
  const found = runbook.cells.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no cell ${id} in ${runbook.cells.map((c) => c.id).join(', ')}`);
  return found;
};

describe('public exports', () => {
  it('exports exactly parseRunbook, parseRunbookText (a file\'s text: loads what its frontmatter needs first) and readRunbookFile', () => {
    expect(Object.keys(parse).sort()).toEqual(['parseRunbook', 'parseRunbookText', 'readRunbookFile']);
  });
});

describe('runbooks/dragonfly.md', async () => {
  const runbook = await readRunbookFile(join(ROOT, 'runbooks', 'dragonfly.md'));

  it('has exactly 7 cells: 5 powershell and 2 sql, in document order with their lines', () => {
    expect(runbook.cells.map((c) => [c.lang, c.line])).toEqual([
      ['powershell', 28], ['sql', 43], ['powershell', 78], ['powershell', 86], ['powershell', 96], ['sql', 106], ['powershell', 115],
    ]);
    expect(runbook.diagnostics).toEqual([]);
  });

  it('flags <GOOD_SHA> and <timestamp> as placeholders of the rollback cell, and $SUPABASE_DB_URL as an env reference', () => {
    const rollback = cell(runbook, 'rollback-if-bad-deploy');
    expect(rollback.placeholders).toEqual(['GOOD_SHA', 'timestamp']);
    expect(rollback.envRefs).toEqual(['SUPABASE_DB_URL']);
    expect(rollback.section).toEqual(['Dragonfly Production Incident Runbook', '3. Remediation', 'Rollback (if bad deploy)']);
    expect(runbook.cells.filter((c) => c.placeholders.length > 0).map((c) => c.id)).toEqual(['rollback-if-bad-deploy']);
  });

  it('gives "1. Immediate Containment (< 2 min)" a 2-minute budget and no other section one', () => {
    const budgeted = runbook.sections.filter((s) => s.budgetMs !== undefined);
    expect(budgeted.map((s) => [s.title, s.budgetMs])).toEqual([['1. Immediate Containment (< 2 min)', 120_000]]);
    expect(runbook.cells[0]!.section.at(-1)).toBe('1. Immediate Containment (< 2 min)');
  });

  it('reads the postmortem table as a 7-item checklist, unchecked, under its section', () => {
    expect(runbook.checklist).toHaveLength(7);
    expect(runbook.checklist[0]).toEqual({
      text: 'Root cause identified (logs, metrics, code diff)', checked: false, line: 132,
      section: ['Dragonfly Production Incident Runbook', '5. Postmortem Checklist'],
      // The Owner column is there, empty: kept as '' so the timeline keeps the column.
      owner: '',
    });
    expect(runbook.checklist.at(-1)!.text).toBe('Security review if permission-related');
  });

  it('reads the escalation line and its 15 minutes', () => {
    expect(runbook.escalation).toMatch(/^If unresolved in 15 min, page on-call lead\. If data corruption suspected/);
    expect(runbook.escalationAfterMs).toBe(15 * 60_000);
  });

  it('reads the frontmatter: database, variables, and the h1 as title; sha256 of the file', () => {
    expect(runbook.database).toBe('$SUPABASE_DB_URL');
    expect(runbook.variables.map((v) => v.name)).toEqual(['GOOD_SHA', 'timestamp']);
    expect(runbook.variables[0]).toMatchObject({ pattern: '[0-9a-f]{7,40}', description: 'the last known-good commit to redeploy' });
    expect(runbook.title).toBe('Dragonfly Production Incident Runbook');
    expect(runbook.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps each cell source exactly as written between the fences', () => {
    expect(cell(runbook, 'release-stuck-jobs').source).toBe(
      "UPDATE ops.jobs SET status = 'pending', claimed_by = NULL, updated_at = NOW()\n"
      + "WHERE status = 'in_progress' AND updated_at < NOW() - INTERVAL '15 minutes';",
    );
  });
});

describe('fence forms (test/fixtures/markdown/fences.md)', () => {
  const runbook = parseFixture('fences.md');

  it('finds every executable fence and no documentation fence or indented code', () => {
    expect(runbook.cells.map((c) => [c.id, c.tag, c.lang, c.line, c.column])).toEqual([
      ['tilde', 'sql', 'sql', 19, 1],
      ['long-fence', 'sh', 'sh', 25, 1],
      ['in-a-list', 'bash', 'sh', 37, 4],
      ['in-a-list-2', 'ps1', 'powershell', 43, 5],
      ['in-a-quote', 'pwsh', 'powershell', 51, 3],
      ['upper-case', 'SQL', 'sql', 67, 1],
      ['upper-ps', 'PowerShell', 'powershell', 71, 1],
      ['upper-case-2', 'Bash', 'sh', 75, 1],
      ['check', 'shell', 'sh', 81, 1],
      ['check-2', 'postgresql', 'sql', 87, 1],
      ['check-2-2', 'sh', 'sh', 91, 1],
    ]);
    expect(runbook.cells.every((c) => c.sourceLine === c.line + 1)).toBe(true);
    expect(runbook.cells.some((c) => c.source.includes('indented code'))).toBe(false);
    expect(runbook.diagnostics).toEqual([]);
  });

  it('keeps ``` inside a longer fence as content', () => {
    expect(cell(runbook, 'long-fence').source).toBe("cat <<'EOF2'\n```\nnot a fence end\n```\nEOF2");
  });

  it('strips list and blockquote indentation from the source', () => {
    expect(cell(runbook, 'in-a-list').source).toBe('echo "in a list"');
    expect(cell(runbook, 'in-a-list-2').source).toBe("Write-Output 'deep'");
    expect(cell(runbook, 'in-a-quote').source).toBe('Get-Process');
    expect(cell(runbook, 'in-a-quote').prose).toBe('Run this:');
  });

  it('reads both attribute forms, typed, and keeps unknown keys', () => {
    expect(cell(runbook, 'upper-ps')).toMatchObject({
      attributes: { name: 'upper-ps', timeout: '2m', confirm: true }, timeoutMs: 120_000, unknownAttributes: [],
    });
    expect(cell(runbook, 'upper-case-2')).toMatchObject({
      attributes: { timeout: '30s', readonly: true, confirm: false, owner: 'sre' }, timeoutMs: 30_000, unknownAttributes: ['owner'],
    });
  });

  it('numbers cells under one heading and keeps duplicate headings apart', () => {
    expect(runbook.sections.filter((s) => s.title === 'Check').map((s) => [s.id, s.line])).toEqual([['check', 79], ['check-2', 85]]);
    expect(cell(runbook, 'check-2-2').section).toEqual(['Fence Forms', 'Check']);
  });

  it('finds placeholders and environment references', () => {
    expect(cell(runbook, 'upper-case-2')).toMatchObject({ placeholders: ['TICKET'], envRefs: ['HOME', 'TICKET_URL'] });
  });

  it('prefers the h1 to the frontmatter title, and reads database and the variables map', () => {
    expect(runbook.title).toBe('Fence Forms');
    expect(runbook.database).toBe('$APP_DB_URL');
    expect(runbook.variables).toEqual([
      { name: 'TICKET', description: 'the incident ticket', pattern: 'INC-[0-9]+' },
      { name: 'API_TOKEN', description: 'token for the status API', secret: true },
    ]);
    expect(runbook.frontmatter).toMatchObject({ title: 'Fence forms' });
  });
});

describe('ids, sections and problems', () => {
  it('reports duplicate names and an unclosed fence, and keeps ids unique', () => {
    const runbook = parseFixture('problems.md');
    expect(runbook.cells.map((c) => c.id)).toEqual(['setup', 'same', 'same-2', 'two']);
    expect(runbook.diagnostics.map((d) => [d.line, d.severity, d.rule])).toEqual([
      [15, 'error', 'duplicate-name'],
      [19, 'warning', 'unclosed-fence'],
    ]);
    expect(runbook.cells[0]!.section).toEqual([]);
  });

  it('an explicit name reserves its id before heading slugs are handed out', () => {
    const runbook = parseRunbook('# Deploy\n\n```sh\necho a\n```\n\n```sh {name=deploy}\necho b\n```\n', 'x.md');
    expect(runbook.cells.map((c) => c.id)).toEqual(['deploy-2', 'deploy']);
  });

  it('a heading-less document gets cell, cell-2 and the file name as title', () => {
    const runbook = parseRunbook('```sh\necho 1\n```\n\n```sql\nselect 1\n```\n', 'dir/ops-notes.md');
    expect(runbook.cells.map((c) => c.id)).toEqual(['cell', 'cell-2']);
    expect(runbook.title).toBe('ops-notes');
  });

  it('takes the title from the frontmatter when there is no h1', () => {
    const runbook = parseRunbook('---\ntitle: Disk full\n---\n\n## Check\n\n```sh\ndf -h\n```\n', 'disk.md');
    expect(runbook).toMatchObject({ title: 'Disk full', frontmatter: { title: 'Disk full' } });
    expect(runbook.cells[0]).toMatchObject({ line: 7, section: ['Check'] });
  });

  it('reports frontmatter that is not YAML, and a variables list', () => {
    expect(parseRunbook('---\ntitle: [oops\n---\n# A\n', 'x.md').diagnostics.map((d) => d.rule)).toEqual(['frontmatter']);
    const listed = parseRunbook('---\nvariables:\n  - name: HOST\n    default: db1\n  - PORT\n---\n', 'x.md');
    expect(listed.variables).toEqual([{ name: 'HOST', default: 'db1' }, { name: 'PORT' }]);
  });

  it('section paths follow heading depth, setext headings included', () => {
    const runbook = parseRunbook('Top\n===\n\n## A\n\n### A1\n\n## B\n\n```sh\necho\n```\n', 'x.md');
    expect(runbook.sections.map((s) => [s.id, s.depth, s.path])).toEqual([
      ['top', 1, ['Top']], ['a', 2, ['Top', 'A']], ['a1', 3, ['Top', 'A', 'A1']], ['b', 2, ['Top', 'B']],
    ]);
    expect(runbook.cells[0]!.section).toEqual(['Top', 'B']);
  });

  it('reads budgets in the forms people write', () => {
    const runbook = parseRunbook('# A (<5m)\n# B (< 1 hour)\n# C (< 30 s)\n# D (2 min)\n', 'x.md');
    expect(runbook.sections.map((s) => s.budgetMs)).toEqual([300_000, 3_600_000, 30_000, undefined]);
  });

  it('reads GFM task lists, ☐/☑ lists and tables with an Owner column', () => {
    const runbook = parseRunbook([
      '# Checks', '', '- [ ] page the lead', '- [x] open the incident', '- ☑ freeze deploys', '',
      '| Done | Task | Owner |', '| --- | --- | --- |', '| ☑ | rotate keys | alice |', '| ☐ | tell support | |', '',
    ].join('\n'), 'x.md');
    expect(runbook.checklist.map(({ text, checked, owner, line }) => ({ text, checked, owner, line }))).toEqual([
      { text: 'page the lead', checked: false, owner: undefined, line: 3 },
      { text: 'open the incident', checked: true, owner: undefined, line: 4 },
      { text: 'freeze deploys', checked: true, owner: undefined, line: 5 },
      { text: 'rotate keys', checked: true, owner: 'alice', line: 9 },
      { text: 'tell support', checked: false, owner: '', line: 10 },
    ]);
  });

  it('does not mistake SQL comparisons for placeholders, nor dollar quotes for env references', () => {
    const runbook = parseRunbook([
      '# Q', '```sql',
      "SELECT * FROM t WHERE a <> 1 AND b < c AND d > e AND sha = '<SHA>' -- not <THIS>",
      'AND x = <LIMIT_ROWS>;', 'CREATE FUNCTION f() RETURNS int AS $body$ SELECT $1 $body$ LANGUAGE sql;', '```',
    ].join('\n'), 'x.md');
    expect(runbook.cells[0]).toMatchObject({ placeholders: ['SHA', 'LIMIT_ROWS'], envRefs: [] });
  });

  it('skips shell comments, single-quoted text and variables the cell sets itself', () => {
    const runbook = parseRunbook([
      '# S', '```bash', '# uses <NOT_THIS> and $NOT_THIS', 'NODE=$(hostname)', "echo '$LITERAL' \"$NODE\" $REGION ${ZONE:-a}", '```',
      '```powershell', '$count = 3', 'Write-Output $env:API_URL $count $true $RETRIES', '```',
    ].join('\n'), 'x.md');
    expect(runbook.cells.map((c) => c.envRefs)).toEqual([['REGION', 'ZONE'], ['API_URL', 'RETRIES']]);
    expect(runbook.cells[0]!.placeholders).toEqual([]);
  });

  it('warns about unreadable attributes and timeouts without failing', () => {
    const runbook = parseRunbook('# A\n```sh {"name": oops}\necho\n```\n```sh {timeout=soon}\necho\n```\n', 'x.md');
    expect(runbook.cells).toHaveLength(2);
    expect(runbook.diagnostics.map((d) => [d.line, d.severity, d.rule])).toEqual([[2, 'warning', 'bad-attribute'], [5, 'warning', 'bad-attribute']]);
  });

  it('treats an unclosed documentation fence inside a list item as a warning, not an error', () => {
    const runbook = parseFixture('gitlab-gitlab.com_on_k8s.md');
    expect(runbook.diagnostics.map((d) => [d.line, d.severity, d.rule])).toEqual([
      [9, 'warning', 'unclosed-fence'], [21, 'warning', 'unclosed-fence'], [29, 'warning', 'unclosed-fence'], [34, 'warning', 'unclosed-fence'],
    ]);
  });

  it('counts lines the way editors do with CRLF endings and a BOM', () => {
    const runbook = parseRunbook('\uFEFF# A\r\n\r\n```sql\r\nSELECT 1;\r\n```\r\n', 'x.md');
    expect(runbook.cells[0]).toMatchObject({ line: 3, source: 'SELECT 1;' });
  });
});
