/** `runbook list` and `runbook lint` end to end: the built CLI in a real process. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'runbook.js');
const fixture = (name: string) => join(ROOT, 'test', 'fixtures', 'markdown', name);
const run = promisify(execFile);

async function runbook(args: string[], nodeArgs: string[] = [], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [...nodeArgs, CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'runbook-list-'));
  writeFileSync(join(scratch, 'empty.md'), '');
  writeFileSync(join(scratch, 'binary.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]));
  writeFileSync(join(scratch, 'latin1.md'), Buffer.from('# Caf\xe9\n', 'latin1'));
  writeFileSync(join(scratch, 'shell-only.md'), '# Shell\n\n```sh\necho hi\n```\n');
}, 180_000);

describe('runbook list', () => {
  it('shows the dragonfly outline: 7 cells under their sections, placeholders, budget, effects', async () => {
    const { code, stdout, stderr } = await runbook(['list', 'runbooks/dragonfly.md']);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('7 cells: 5 powershell, 2 sql; 1 read, 6 write');
    expect(stdout).toMatch(/^1\. Immediate Containment \(< 2 min\) {2}\[budget 2 min\]$/m);
    expect(stdout).toMatch(/^ {2}rollback-if-bad-deploy +powershell +line {2}96 +write +placeholders: <GOOD_SHA> <timestamp> +env: \$SUPABASE_DB_URL( +\(not run here: pwsh is not on PATH\))?$/m);
    expect(stdout).toMatch(/^ {2}2-diagnostics-sql-run-against-prod +sql +line {2}43 +read$/m);
    expect(stdout).toMatch(/^ {2}release-stuck-jobs +sql +line 106 +write$/m);
    expect(stdout).toContain('Checklist: 7 items, 0 done');
    expect(stdout).toContain('Escalation: If unresolved in 15 min, page on-call lead.');
    expect(stdout.match(/^ {2}\S+ +(sql|powershell|sh) +line/gm)).toHaveLength(7);
  });

  it('prints the DESIGN.md JSON shape with --json', async () => {
    const { code, stdout } = await runbook(['list', 'runbooks/dragonfly.md', '--json']);
    expect(code).toBe(0);
    const listed = JSON.parse(stdout);
    expect(listed.runbook).toMatchObject({ path: 'runbooks/dragonfly.md', title: 'Dragonfly Production Incident Runbook' });
    expect(listed.cells).toHaveLength(7);
    for (const cell of listed.cells) expect(Object.keys(cell)).toEqual(expect.arrayContaining(['id', 'lang', 'line', 'section', 'source', 'attributes']));
    expect(listed.cells[4]).toMatchObject({ id: 'rollback-if-bad-deploy', lang: 'powershell', line: 96, effect: 'write', placeholders: ['GOOD_SHA', 'timestamp'] });
    expect(listed.cells[1].source).toBe(readFileSync(join(ROOT, 'runbooks', 'dragonfly.md'), 'utf8').split('\n').slice(43, 69).join('\n'));
    expect(listed.checklist).toHaveLength(7);
  });

  it('says so, and exits 0, for a document without executable cells', async () => {
    const { code, stdout } = await runbook(['list', fixture('no-cells.md')]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(`${fixture('no-cells.md')}: no executable cells (no sql, powershell or sh fences); nothing to run`);
  });

  it('lists a runbook with problems: each error as lint prints it, then a pointer at lint', async () => {
    const file = fixture('problems.md');
    const { code, stderr } = await runbook(['list', file]);
    const linted = await runbook(['lint', file]);
    expect(code).toBe(0);
    const duplicate = `${file}:15:1: error: cell name "same" is already used at line 9; give each cell its own name (this one is "same-2" for now) (duplicate-name)`;
    // One formatter: the line list prints is the line lint prints.
    expect(linted.stdout).toContain(`${duplicate}\n`);
    expect(stderr.trim().split('\n')).toEqual([duplicate, `runbook: ${file} has 1 error; \`runbook lint ${file}\` checks it in full, warnings included`]);
  });
});

describe('runbook lint', () => {
  it('exits 0 on runbooks/dragonfly.md, warning that its PowerShell reads $SUPABASE_DB_URL, with the fix', async () => {
    const { code, stdout } = await runbook(['lint', 'runbooks/dragonfly.md']);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^runbooks\/dragonfly\.md:36:6: warning: .*\$SUPABASE_DB_URL.*did you mean `\$env:SUPABASE_DB_URL`\? \(powershell-env-variable\)$/),
      expect.stringMatching(/^runbooks\/dragonfly\.md:101:6: warning: .*did you mean `\$env:SUPABASE_DB_URL`\?/),
    ]);
  });

  it('prints file:line:col: severity: message (rule) and exits 1 on errors', async () => {
    const file = fixture('broken-sql.md');
    const { code, stdout, stderr } = await runbook(['lint', 'runbooks/dragonfly.md', file]);
    expect(code).toBe(1);
    expect(stdout.trim().split('\n').filter((line) => !line.includes('powershell-env-variable'))).toEqual([
      `${file}:7:1: error: SQL in cell top-level: syntax error at or near "SELEC" (sql-syntax)`,
      `${file}:16:29: error: SQL in cell in-a-list: syntax error at or near "=" (sql-syntax)`,
      `${file}:23:17: error: SQL in cell in-a-quote: syntax error at or near ";" (sql-syntax)`,
    ]);
    expect(stderr).toContain('2 files checked: 3 errors, 2 warnings');
  });

  it('exits 0 when there are only warnings', async () => {
    const { code, stdout } = await runbook(['lint', fixture('gitlab-gitlab.com_on_k8s.md')]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/:9:5: warning: code fence is never closed, so it ends with its list item; add a closing fence \(unclosed-fence\)/);
  });
});

describe('bad input: one clear line, exit 2, no stack trace', () => {
  const cases: [string, () => string, RegExp][] = [
    ['a missing file', () => join(scratch, 'nope.md'), /nope\.md: no such file; check the path/],
    ['a directory', () => scratch, /is a directory; give the path of a Markdown runbook/],
    ['a binary file', () => join(scratch, 'binary.md'), /binary\.md looks binary \(NUL byte at offset 4\)/],
    ['a non-UTF-8 file', () => join(scratch, 'latin1.md'), /latin1\.md is not valid UTF-8 text \(at byte 5\); save it as UTF-8/],
    ['an empty file', () => join(scratch, 'empty.md'), /empty\.md is empty/],
  ];
  for (const command of ['list', 'lint']) {
    it.each(cases)(`${command}: %s`, async (_name, path, message) => {
      const { code, stdout, stderr } = await runbook([command, path()]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      const lines = stderr.trim().split('\n').filter((line) => !/files? checked/.test(line));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^runbook: /);
      expect(lines[0]).toMatch(message);
    });
  }
});

describe('start-up stays light', () => {
  /** Runs the CLI with a module hook that logs every import specifier it resolves. */
  async function importsOf(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
    const log = join(scratch, `imports-${args.join('-').replace(/\W/g, '_')}-${Object.keys(env).length}.log`);
    writeFileSync(join(scratch, 'hooks.mjs'), [
      "import { appendFileSync } from 'node:fs';",
      'export async function resolve(specifier, context, next) {',
      '  appendFileSync(process.env.IMPORT_LOG, specifier + "\\n");',
      '  return next(specifier, context);',
      '}',
    ].join('\n'));
    writeFileSync(join(scratch, 'register.mjs'), "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n");
    writeFileSync(log, '');
    const { code } = await runbook(args, ['--import', join(scratch, 'register.mjs')], { IMPORT_LOG: log, ...env });
    expect(code).toBe(0);
    return readFileSync(log, 'utf8').split('\n').filter(Boolean);
  }

  it('list and lint never load ink or react', async () => {
    for (const args of [['list', 'runbooks/dragonfly.md'], ['lint', 'runbooks/dragonfly.md']]) {
      const imports = await importsOf(args);
      // commander by name, or its chunk of the CLI's bundle (scripts/bundle.mjs: pkg-<name>-<hash>.js)
      expect(imports.some((specifier) => specifier === 'commander' || /(^|[\\/])pkg-commander-[\w-]{8}\.js$/.test(specifier))).toBe(true);
      // By name, or as their chunks of the CLI's bundle (pkg-ink-…, pkg-react-…, pkg-react-reconciler-…).
      expect(imports.filter((specifier) => /^(ink|react)(\/|$)/.test(specifier) || /(^|[\\/])pkg-(ink|react)[-_]/.test(specifier))).toEqual([]);
    }
  });

  it('loads the SQL parser only when there are SQL cells, and only while its answers are not kept from an earlier run', async () => {
    const cache = { XDG_CACHE_HOME: join(scratch, `cache-${Date.now()}`) };
    expect(await importsOf(['list', 'runbooks/dragonfly.md'], cache)).toContain('libpg-query');
    expect(await importsOf(['list', 'runbooks/dragonfly.md', '--json'], cache)).not.toContain('libpg-query');
    expect(await importsOf(['list', join(scratch, 'shell-only.md')])).not.toContain('libpg-query');
  });
});
