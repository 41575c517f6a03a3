/**
 * What a command loads before it does anything: `list` parses and plans, it never talks to
 * PostgreSQL nor lays out text for --json, so it must not pay for pg (which pulls in undici
 * and node:assert, ~90 ms of CPU) or the width helpers; a runbook without frontmatter does
 * not pay for the YAML reader; a run of bash cells (the session) does not load execa. Checked on the built CLI (global setup builds dist/), in
 * fresh Node processes: ES modules through a resolve hook, CommonJS through require.cache.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from './runner-support.js';
import { databaseUrl } from './support/database.js';

const ROOT = join(import.meta.dirname, '..');
const DRAGONFLY = join(ROOT, 'runbooks', 'dragonfly.md');

/** The CommonJS modules (pg and yaml are) a fresh process has loaded after running `body` (ESM, top-level await). */
function cjsLoadedAfter(body: string): string[] {
  const script = `${body}; const { createRequire } = await import('node:module'); process.stdout.write(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)))`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: ROOT })) as string[];
}

/** Every ES module `runbook <args>` resolved, from a resolve hook. */
function esmResolvedBy(args: string[]): string[] {
  const dir = tempDir('runbook-imports-');
  const log = join(dir, 'resolved.txt');
  writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + '\\n'); return r; }\n`);
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`);
  execFileSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, join(ROOT, 'bin', 'runbook.js'), ...args], { cwd: ROOT, stdio: 'ignore' });
  return readFileSync(log, 'utf8').trim().split('\n');
}

/** A file of package `name`: in node_modules, or its chunk of the CLI's bundle (scripts/bundle.mjs names them `pkg-<name>-<hash>.js`). */
const under = (name: string) => (path: string) =>
  new RegExp(`[\\\\/]node_modules[\\\\/]${name}[\\\\/]`).test(path) || new RegExp(`[\\\\/]dist[\\\\/]bundle[\\\\/]pkg-${name}-[\\w-]{8}\\.js$`).test(path);

describe('start-up imports', () => {
  it('list loads no PostgreSQL client: the sandbox (and pg with it) is imported only when a run starts it', () => {
    const loaded = cjsLoadedAfter(`await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/commands/list.js')).href)})`);
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter(under('pg'))).toEqual([]);
  }, 60_000);

  it('list --json loads neither pg nor the text outline\'s width helpers; the text outline does', () => {
    const json = esmResolvedBy(['list', DRAGONFLY, '--json']);
    expect(json.some((url) => /[\\/]dist[\\/]bundle[\\/]list-[\w-]{8}\.js$/.test(url))).toBe(true);
    expect(json.filter((url) => under('pg')(url) || under('string-width')(url) || under('wrap-ansi')(url))).toEqual([]);
    expect(esmResolvedBy(['list', DRAGONFLY]).some(under('string-width'))).toBe(true);
  }, 60_000);

  it('a run whose bash cells all go to the session loads no execa; a cell run as its own process loads it and runs', () => {
    const dir = tempDir('runbook-imports-run-');
    const session = join(dir, 'session.md');
    writeFileSync(session, '# Session\n\n```bash\necho one\n```\n\n```bash\necho two\n```\n');
    const bashOnly = esmResolvedBy(['run', session, '--yes', '--transcript', join(dir, 'session.jsonl')]);
    expect(bashOnly.filter(under('execa'))).toEqual([]);
    // No SQL cell, no --log: nothing talks to PostgreSQL, so pg is not loaded (the shared log's module is imported on demand).
    expect(bashOnly.filter(under('pg'))).toEqual([]);
    const perProcess = join(dir, 'per-process.md');
    writeFileSync(perProcess, '# Per process\n\n```sh {interpreter=sh}\necho three\n```\n');
    const transcript = join(dir, 'per-process.jsonl');
    expect(esmResolvedBy(['run', perProcess, '--yes', '--transcript', transcript]).some(under('execa'))).toBe(true);
    expect(readFileSync(transcript, 'utf8')).toMatch(/"type":"cell.finished".*"status":"succeeded"/);
  }, 60_000);

  it('reads YAML frontmatter with the YAML reader, loaded only for a runbook that has it', () => {
    const parse = `const { parseRunbook } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/engine/parse.js')).href)})`;
    const without = cjsLoadedAfter(`${parse}; parseRunbook('# Plain\\n\\n\`\`\`sh\\necho hi\\n\`\`\`\\n', 'plain.md')`);
    expect(without.filter(under('js-yaml'))).toEqual([]);
    const withYaml = cjsLoadedAfter(`${parse}; const r = parseRunbook('---\\nowner: sre\\n---\\n\\n# Plain\\n', 'front.md'); if (r.frontmatter.owner !== 'sre') throw new Error('frontmatter ' + JSON.stringify(r.frontmatter))`);
    expect(withYaml.filter(under('js-yaml')).length).toBeGreaterThan(0);
  }, 60_000);

  it('the CLI reads YAML frontmatter with the bundled reader (one chunk), and a runbook without it loads none', () => {
    expect(esmResolvedBy(['list', DRAGONFLY, '--json']).filter(under('js-yaml')).length).toBeGreaterThan(0);
    const dir = tempDir('runbook-imports-yaml-');
    const plain = join(dir, 'plain.md');
    writeFileSync(plain, '# Plain\n\n```sql\nSELECT 1;\n```\n');
    expect(esmResolvedBy(['list', plain, '--json']).filter(under('js-yaml'))).toEqual([]);
    // The same opening rule as the frontmatter reader's: a BOM, a delimiter with trailing spaces, CRLF.
    const windows = join(dir, 'windows.md');
    writeFileSync(windows, '\uFEFF--- \r\ntitle: Windows\r\n---\r\n\r\n# Windows\r\n');
    expect(esmResolvedBy(['list', windows, '--json']).filter(under('js-yaml')).length).toBeGreaterThan(0);
  }, 60_000);

  it("a SQL run does not load Node's undici (pg's Cloudflare probe, answered by the navigator Node 21+ defines)", () => {
    const dir = tempDir('runbook-imports-sql-');
    const runbook = join(dir, 'one.md');
    writeFileSync(runbook, '# One\n\n```sql\nSELECT 1;\n```\n');
    const report = join(dir, 'modules.json');
    const hook = join(dir, 'modules.mjs');
    writeFileSync(hook, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(report)}, JSON.stringify(process.moduleLoadList)));\n`);
    const transcript = join(dir, 'one.jsonl');
    execFileSync(process.execPath, ['--import', pathToFileURL(hook).href, join(ROOT, 'bin', 'runbook.js'), 'run', runbook, '--yes', '--db', databaseUrl(), '--transcript', transcript], { cwd: ROOT, stdio: 'ignore' });
    expect(readFileSync(transcript, 'utf8')).toMatch(/"type":"cell.finished".*"status":"succeeded"/);
    const modules = JSON.parse(readFileSync(report, 'utf8')) as string[];
    expect(modules.some((name) => name.includes('net'))).toBe(true);
    expect(modules.filter((name) => name.includes('undici'))).toEqual([]);
  }, 60_000);

  it('list loads no node:v8 once its SQL answers are kept (the WASM flag is set as the parser loads, the run budget only by run and resume), and no node:child_process', () => {
    const dir = tempDir('runbook-imports-v8-');
    const env = { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') };
    const report = join(dir, 'modules.json');
    const hook = join(dir, 'modules.mjs');
    writeFileSync(hook, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(report)}, JSON.stringify(process.moduleLoadList)));\n`);
    const list = () => {
      execFileSync(process.execPath, ['--import', pathToFileURL(hook).href, join(ROOT, 'bin', 'runbook.js'), 'list', DRAGONFLY, '--json'], { cwd: ROOT, stdio: 'ignore', env });
      return JSON.parse(readFileSync(report, 'utf8')) as string[];
    };
    // The first list parses its SQL with libpg-query (the flag is set then); the second finds the answers kept.
    expect(list()).toContain('NativeModule v8');
    const second = list();
    expect(second).not.toContain('NativeModule v8');
    // commander's node:child_process is made on first spawn (scripts/bundle.mjs), which list never does.
    expect(second).not.toContain('NativeModule child_process');
  }, 60_000);

  it('the shell parser (sh-syntax) is loaded for a shell cell with an export line, not for a SQL run', () => {
    const dir = tempDir('runbook-imports-sh-syntax-');
    const sql = join(dir, 'sql.md');
    writeFileSync(sql, '# SQL\n\n```sql\nSELECT 1;\n```\n');
    expect(esmResolvedBy(['run', sql, '--yes', '--db', databaseUrl(), '--transcript', join(dir, 'sql.jsonl')]).filter(under('sh-syntax'))).toEqual([]);
    const shell = join(dir, 'shell.md');
    writeFileSync(shell, '---\nrunme:\n  version: v3\n---\n\n# Shell\n\n```bash\nexport REGION="eu"\necho $REGION\n```\n');
    expect(esmResolvedBy(['list', shell, '--json']).filter(under('sh-syntax')).length).toBeGreaterThan(0);
  }, 60_000);
});
