/**
 * PostgreSQL's parser's answers kept between runs (src/engine/lang/sql/parse-store.ts): a
 * second command on the same SQL never loads the parser's WebAssembly and says the same;
 * a torn, edited or foreign entry is a miss; a cache that cannot be written is no cache.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './runner-support.js';

const NO_WASM = `--require ${join(ROOT, 'test', 'fixtures', 'no-wasm.cjs')}`;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function world(sql: string): { cache: string; runbook: string } {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-parse-store-'));
  dirs.push(dir);
  const runbook = join(dir, 'r.md');
  writeFileSync(runbook, `# Store\n\n\`\`\`sql\n${sql}\n\`\`\`\n\n\`\`\`sql\nSELECT 'ünïcode', $$a;b$$, E'\\\\x41' FROM t WHERE a = 1 FOR UPDATE;\n\`\`\`\n`);
  return { cache: join(dir, 'cache'), runbook };
}

const entries = (cache: string) => readdirSync(join(cache, 'runbook', 'sql-parse'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));

/** The store module itself, with XDG_CACHE_HOME pointing at `cache` for the length of `use` (a fresh store each time). */
async function inProcess(cache: string, use: (store: typeof import('../src/engine/lang/sql/parse-store.js')) => void): Promise<void> {
  const store = await import('../src/engine/lang/sql/parse-store.js');
  const before = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = cache;
  try {
    store.forgetStore();
    use(store);
  } finally {
    if (before === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = before;
    store.forgetStore();
  }
}

describe("the SQL parser's answers, kept between runs", () => {
  it('a second list of the same SQL says the same without compiling WebAssembly; the first needs it', async () => {
    const { cache, runbook } = world('SELECT count(*) FROM jobs');
    const env = { XDG_CACHE_HOME: cache };
    // The guard works: with nothing kept and no parser, the read cannot be told from a write.
    const cold = await runCli(['list', runbook, '--json'], { env: { ...env, NODE_OPTIONS: NO_WASM } });
    expect(cold.stdout).toContain('"effectReason": "the SQL does not parse"');
    const first = await runCli(['list', runbook, '--json'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(entries(cache).length).toBeGreaterThan(0);
    const second = await runCli(['list', runbook, '--json'], { env: { ...env, NODE_OPTIONS: NO_WASM } });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(first.stdout).toContain('"effect": "read"');
    expect(first.stdout).toContain('"effect": "write"');
    expect(first.stdout).not.toContain('does not parse');
  }, 60_000);

  it.skipIf(process.platform === 'win32')('a store others can write to is not believed, nor written', async () => {
    const { cache, runbook } = world('SELECT count(*) FROM jobs');
    const env = { XDG_CACHE_HOME: cache };
    const first = await runCli(['list', runbook, '--json'], { env });
    const dir = dirname(entries(cache)[0]!);
    chmodSync(dir, 0o777);
    const shared = await runCli(['list', runbook, '--json'], { env: { ...env, NODE_OPTIONS: NO_WASM } });
    expect(shared.stdout).toContain('"effectReason": "the SQL does not parse"');
    chmodSync(dir, 0o700);
    const own = await runCli(['list', runbook, '--json'], { env: { ...env, NODE_OPTIONS: NO_WASM } });
    expect(own.stdout).toBe(first.stdout);
  }, 60_000);

  it('keeps a syntax error as the parser said it, position included', async () => {
    const { cache, runbook } = world('SELEC 1;\nSELECT 2');
    const env = { XDG_CACHE_HOME: cache };
    const first = await runCli(['lint', runbook], { env });
    expect(first.stdout + first.stderr).toMatch(/syntax error at or near "SELEC"/);
    const second = await runCli(['lint', runbook], { env: { ...env, NODE_OPTIONS: NO_WASM } });
    expect(second.code).toBe(first.code);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toBe(first.stderr);
  }, 60_000);

  it('an entry that is torn, edited to another text, or says nothing is not believed: parsed again and written over', async () => {
    const { cache, runbook } = world('UPDATE accounts SET frozen = true WHERE id = 7');
    const env = { XDG_CACHE_HOME: cache };
    const first = await runCli(['list', runbook, '--json'], { env });
    const files = entries(cache);
    const good = files.map((file) => readFileSync(file, 'utf8'));
    // A write dressed as a read: the entry of the UPDATE now carries a SELECT's tree under another text.
    const forged = (file: string) => {
      const kept = JSON.parse(readFileSync(file, 'utf8')) as { text: string };
      return JSON.stringify({ ...kept, text: `${kept.text} ` });
    };
    for (const spoil of [(f: string) => readFileSync(f, 'utf8').slice(0, 40), forged, () => '{}', () => 'null']) {
      for (const file of files) writeFileSync(file, spoil(file));
      const again = await runCli(['list', runbook, '--json'], { env });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toBe(first.stdout);
      expect(files.map((file) => readFileSync(file, 'utf8'))).toEqual(good);
    }
  }, 120_000);

  it('a cache directory that cannot be made (under /proc, a file) is no cache: the command works, at once', async () => {
    const { cache, runbook } = world('SELECT 1');
    writeFileSync(cache, 'a file, not a directory');
    for (const home of [cache, '/proc/runbook-nope']) {
      const result = await runCli(['list', runbook, '--json'], { env: { XDG_CACHE_HOME: home } });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('"effect": "read"');
    }
  }, 60_000);

  it('holds at most 4,096 answers: the first store of a process drops the oldest half', async () => {
    const { cache } = world('SELECT 1');
    await inProcess(cache, ({ flushStore, forgetStore, storeAnswer, storedAnswer }) => {
      storeAnswer('parse', 'SELECT 0', { ok: { stmts: [] } });
      flushStore();
      const dir = dirname(entries(cache)[0]!);
      for (let i = 0; i < 4200; i++) {
        writeFileSync(join(dir, `parse-old-${i}.json`), '{}');
        utimesSync(join(dir, `parse-old-${i}.json`), 1_000_000 + i, 1_000_000 + i);
      }
      forgetStore();
      storeAnswer('parse', 'SELECT 1', { ok: { stmts: [] } });
      flushStore();
      const left = readdirSync(dir);
      expect(left).toHaveLength(2048 + 1);
      expect(left).toContain('parse-old-4199.json');
      expect(left).not.toContain('parse-old-0.json');
      expect(storedAnswer('parse', 'SELECT 1')).toEqual({ ok: { stmts: [] } });
    });
  }, 60_000);

  it('a process keeps its answers only when they are at most 512 (more, and the next run loads the parser anyway)', async () => {
    const { cache } = world('SELECT 1');
    await inProcess(cache, ({ flushStore, forgetStore, storeAnswer, storedAnswer }) => {
      for (let i = 0; i < 512; i++) storeAnswer('parse', `SELECT ${i}`, { ok: { stmts: [] } });
      flushStore();
      expect(entries(cache)).toHaveLength(512);
      expect(storedAnswer('parse', 'SELECT 511')).toEqual({ ok: { stmts: [] } });
      forgetStore();
      for (let i = 0; i < 513; i++) storeAnswer('parse', `SELECT ${i + 1000}`, { ok: { stmts: [] } });
      flushStore();
      expect(entries(cache)).toHaveLength(512);
      expect(storedAnswer('parse', 'SELECT 1000')).toBeUndefined();
    });
  }, 60_000);
});
