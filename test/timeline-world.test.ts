/**
 * The postmortem of the client's runbook, run as written in its rebuilt world (real pwsh,
 * real psql and curl, the world's stand-ins, a real PostgreSQL as "prod"): the timeline
 * names the failure reasons, quotes the runbook's Symptoms, keeps the checklist's Owner
 * column, names the database each step reached (the PowerShell steps after load_env.ps1
 * went to the dev database), and `--format json` carries the same as fields.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { onPath } from '../src/engine/process/which.js';
import { freshDatabase } from './support/database.js';
import { CLI, ROOT, tempDir } from './runner-support.js';
import { pythonOnPath } from './support/world.js';

interface Entry { type: string; step: string | null; summary: string; details: Record<string, unknown> }

const MAKE_WORLD = [join(ROOT, '..', 'shared'), join(ROOT, '..', '..', 'shared')].map((dir) => join(dir, 'world', 'make-world.sh')).find((file) => existsSync(file));
const PATH = `${process.env.PATH ?? ''}:${process.env.HOME ?? ''}/.dotnet/tools`;
const ready = MAKE_WORLD !== undefined && onPath('pwsh', PATH) && onPath('psql', PATH);

describe.runIf(ready)("the timeline of the client's runbook in its world", () => {
  let md: string;
  let entries: Entry[];

  beforeAll(async () => {
    const db = await freshDatabase('worldtimeline');
    execFileSync('psql', [db, '-q', '-v', 'ON_ERROR_STOP=1', '-f', join(ROOT, 'runbooks', 'dragonfly.sandbox.sql')], { stdio: 'ignore' });
    const world = tempDir('runbook-world-timeline-');
    execFileSync(MAKE_WORLD as string, [world, '--runbook', join(ROOT, 'runbooks', 'dragonfly.md'), '--prod-db', db], { stdio: 'ignore' });
    const script = [
      '. .world/env.sh && .world/start.sh >/dev/null',
      `node ${CLI} run dragonfly.md --yes --keep-going --allow-writes --db "$DB" --var GOOD_SHA=abc1234 --var timestamp=20261128193000 --actor alice --transcript run.jsonl >/dev/null 2>&1`,
      'code=$?; .world/stop.sh >/dev/null 2>&1; exit $code',
    ].join('\n');
    let code = 0;
    try {
      execFileSync('bash', ['-c', script], { cwd: world, env: { ...process.env, PATH: `${pythonOnPath(world, PATH)}${PATH}`, DB: db }, stdio: 'ignore' });
    } catch (error) {
      code = (error as { status: number }).status;
    }
    expect(code).toBe(1); // the dev database the world's load_env.ps1 picks is down: some steps fail
    // From another directory: the checklist and the Symptoms come from the transcript.
    const elsewhere = tempDir('runbook-world-elsewhere-');
    md = execFileSync('node', [CLI, 'timeline', join(world, 'run.jsonl')], { cwd: elsewhere, encoding: 'utf8' });
    entries = JSON.parse(execFileSync('node', [CLI, 'timeline', join(world, 'run.jsonl'), '--format', 'json'], { cwd: elsewhere, encoding: 'utf8' })) as Entry[];
  }, 300_000);

  const cellRows = () => md.split('\n').filter((line) => line.startsWith('| ') && line.includes(' cell, line '));

  it('names the failure reasons', () => {
    const failed = cellRows().filter((row) => /\| failed after /.test(row));
    expect(failed.length).toBeGreaterThan(0);
    for (const row of failed) expect(row).toMatch(/<br>› \S/);
    expect(failed.join('\n')).toMatch(/Connection refused|54322/);
    for (const entry of entries.filter((e) => e.type === 'cell' && e.details.status === 'failed')) {
      expect((entry.details.evidence as { lines: string[] }).lines.length).toBeGreaterThan(0);
    }
  });

  it('quotes the Symptoms and keeps the Owner column', () => {
    expect(md).toContain('### Symptoms (from the runbook)\n\n> - `connection refused` / `FATAL: too many connections`\n');
    expect(md).toContain('| Item | Owner | Done | |');
    expect(md).toContain('| Root cause identified (logs, metrics, code diff) |  | ☐ |  |');
    expect(entries.find((e) => e.type === 'symptoms')?.details.text).toContain('`current transaction is aborted, commands ignored`');
    const checklist = entries.filter((e) => e.type === 'checklist');
    expect(checklist).toHaveLength(7);
    for (const item of checklist) expect(item.details.owner).toBe('');
  });

  it('names the database each step reached: PowerShell after load_env.ps1 on the dev database, SQL on the target', () => {
    for (const row of cellRows()) expect(row).toMatch(/ cell, line \d+ on \S/);
    const after = (step: string) => cellRows().find((row) => row.includes(`\`${step}\``)) ?? '';
    expect(after('env-hygiene')).toContain('set SUPABASE\\_DB\\_URL to postgresql://postgres:\\*\\*\\*\\*\\*\\*\\*\\*@127.0.0.1:54322/postgres');
    expect(after('4-verification')).toContain('on SUPABASE\\_DB\\_URL=postgresql://postgres:\\*\\*\\*\\*\\*\\*\\*\\*@127.0.0.1:54322/postgres (set by env-hygiene)');
    const database = (step: string) => entries.find((e) => e.type === 'cell' && e.step === step)?.details.database as { via: string; url: string } | undefined;
    expect(database('release-stuck-jobs')?.via).toBe('target');
    expect(database('4-verification')).toMatchObject({ via: 'changed', url: 'postgresql://postgres:********@127.0.0.1:54322/postgres' });
    for (const entry of entries.filter((e) => e.type === 'cell')) expect(entry.details.database).toBeDefined();
  });
});
