/**
 * timeline, verify and replay over a transcript made by a real run: the built CLI, real
 * bash, a real PostgreSQL. What the timeline says is checked against the transcript.
 */
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellFinished, CellStarted, RunEvent } from '../src/engine/events.js';
import { freshDatabase } from './support/database.js';
import { CLI, runCli, tempDir } from './runner-support.js';

const RUNBOOK = `---
title: Drill
---

# Drill

## Prepare

\`\`\`sql
-- Make the jobs table
CREATE TABLE jobs (id int, status text);
INSERT INTO jobs SELECT g, 'in_progress' FROM generate_series(1, 12) g;
\`\`\`

## Look

\`\`\`sh
echo "looking | carefully"
echo "a warning" >&2
\`\`\`

\`\`\`sql {name=stuck}
-- Stuck jobs
SELECT id, status FROM jobs WHERE status = 'in_progress' ORDER BY id;
\`\`\`

## Fix

\`\`\`sql {name=release}
UPDATE jobs SET status = 'pending';
\`\`\`

\`\`\`sql {name=broken}
SELECT * FROM no_such_table;
\`\`\`

\`\`\`sh {name=last}
sleep 0.2; echo done
\`\`\`

## Postmortem Checklist

| Item | Owner | Done |
| ---- | ----- | ---- |
| Root cause identified | | ☐ |
| Timeline documented (first symptom → resolution) | | ☐ |
| Monitoring gap closed | | ☐ |
`;

let dir: string;
let transcript: string;
let live: { code: number | null; stdout: string; stderr: string };
let events: RunEvent[];

beforeAll(async () => {
  dir = tempDir('runbook-timeline-cli-');
  writeFileSync(join(dir, 'drill.md'), RUNBOOK);
  const db = await freshDatabase('tl');
  transcript = join('transcripts', 'drill.jsonl');
  live = await runCli(['run', 'drill.md', '--yes', '--keep-going', '--allow-writes', '--db', db, '--transcript', transcript], { cwd: dir });
  events = readFileSync(join(dir, transcript), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as RunEvent);
}, 240_000);

const cli = (args: string[]) => runCli(args, { cwd: dir });

describe('runbook verify on a real run', () => {
  it('exits 0 with a one-line summary', async () => {
    expect(live.code, live.stderr).toBe(1);
    const result = await cli(['verify', transcript]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${transcript}: ok, ${events.length} events (seq 0-${events.length - 1}), hash chain intact, run ${events[0]!.run}\n`);
  });

  it('exits 1 naming the first bad line after an edit, a deletion and a swap', async () => {
    const lines = readFileSync(join(dir, transcript), 'utf8').split('\n').slice(0, -1);
    const cases: [string, string[], number][] = [
      ['edit', lines.map((l, i) => (i === 4 ? l.replace('"v":1', '"v":1 ') : l)), 5],
      ['delete', lines.filter((_, i) => i !== 6), 7],
      ['swap', lines.map((l, i) => (i === 8 ? lines[9]! : i === 9 ? lines[8]! : l)), 9],
    ];
    for (const [name, edited, line] of cases) {
      writeFileSync(join(dir, `${name}.jsonl`), edited.map((l) => `${l}\n`).join(''));
      const result = await cli(['verify', `${name}.jsonl`]);
      expect([name, result.code]).toEqual([name, 1]);
      expect(result.stderr).toMatch(new RegExp(`^runbook: ${name}\\.jsonl:${line}: .*\\n$`));
      expect(result.stdout).toBe('');
    }
  });

  it('exits 2 with one line for a file that is not a transcript, and for a missing one', async () => {
    const notTranscript = await cli(['verify', 'drill.md']);
    expect(notTranscript).toMatchObject({ code: 2, stdout: '' });
    expect(notTranscript.stderr).toBe('runbook: drill.md is not a runbook transcript (line 1 is not a JSON event with v, seq and type); pass the .jsonl file a run wrote\n');
    const missing = await cli(['timeline', 'nope.jsonl']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('runbook timeline on a real run', () => {
  it('has a row per cell with what it returned, failed or printed, and the markers', async () => {
    const result = await cli(['timeline', transcript]);
    expect(result.code, result.stderr).toBe(0);
    const md = result.stdout;
    const finished = events.filter((e): e is CellFinished => e.type === 'cell.finished');
    const rowOf = (cell: string) => md.split('\n').filter((l) => l.startsWith('| ') && l.includes(`| \`${cell}\` | ran`));
    for (const cell of finished) expect(rowOf(cell.cell), cell.cell).toHaveLength(1);
    expect(rowOf('prepare')[0]).toContain('Make the jobs table: CREATE; INSERT 12 rows affected');
    expect(rowOf('stuck')[0]).toContain('Stuck jobs: 12 rows returned');
    expect(rowOf('release')[0]).toContain('UPDATE 12 rows affected');
    expect(rowOf('broken')[0]).toMatch(/failed after \d+ (ms|s): relation "no\\_such\\_table" does not exist \(SQLSTATE 42P01\)/);
    expect(rowOf('last')[0]).toContain('succeeded');
    expect(md).toMatch(/\| `broken` \| \*\*FIRST FAILURE\*\* \|/);
    expect(md.indexOf('**RUN STARTED**')).toBeLessThan(md.indexOf('**FIRST FAILURE**'));
    expect(md.indexOf('**FIRST FAILURE**')).toBeLessThan(md.indexOf('**RUN ENDED**'));
    const started = events[0] as Extract<RunEvent, { type: 'run.started' }>;
    expect(md).toContain(`(sha256 \`${started.runbook.sha256}\`)`);
    expect(md).toContain('- **Target:** PRODUCTION');
    expect(md).toContain('postgres://postgres:********@');
    expect(md).not.toContain('test-password');
    expect(md).toContain(`- **Outcome:** failed: 5 succeeded, 1 failed`);
    expect(md).toContain(`: hash chain verified, ${events.length} events`);
    expect(md).toMatch(/ {4}broken ✗ \d+ ms :crit, c4, \d+, \d+\n/);
  });

  it("lists the runbook's checklist with Timeline documented ticked, and only ticks once the runbook changed", async () => {
    const md = (await cli(['timeline', transcript])).stdout;
    const table = [
      '### Postmortem checklist', '',
      '| Item | Owner | Done | |', '|---|---|---|---|',
      '| Root cause identified |  | ☐ |  |',
      '| Timeline documented (first symptom → resolution) |  | ☑ | this timeline |',
      '| Monitoring gap closed |  | ☐ |  |', '',
    ].join('\n');
    expect(md.slice(md.indexOf('### Postmortem checklist'))).toBe(table);
    // The checklist is in run.started: a changed runbook, or another directory, does not shrink it.
    const changed = tempDir('runbook-timeline-changed-');
    writeFileSync(join(changed, 'drill.md'), `${RUNBOOK}\nEdited after the run.\n`);
    writeFileSync(join(changed, 'copy.jsonl'), readFileSync(join(dir, transcript)));
    const after = (await runCli(['timeline', 'copy.jsonl'], { cwd: changed })).stdout;
    expect(after.slice(after.indexOf('### Postmortem checklist'))).toBe(table);
    const json = JSON.parse((await runCli(['timeline', 'copy.jsonl', '--format', 'json'], { cwd: changed })).stdout) as { type: string; details: Record<string, unknown> }[];
    expect(json.filter((e) => e.type === 'checklist').map((e) => [e.details.item, e.details.owner, e.details.checked])).toEqual([
      ['Root cause identified', '', false], ['Timeline documented (first symptom → resolution)', '', true], ['Monitoring gap closed', '', false],
    ]);
  });

  it('an older transcript (no checklist in run.started) whose runbook is gone says where it looked and that the items are unknown', async () => {
    const lines = readFileSync(join(dir, transcript), 'utf8').split('\n');
    const first = JSON.parse(lines[0] as string) as Record<string, unknown>;
    delete first.checklist;
    delete (first.runbook as Record<string, unknown>).absolutePath;
    const elsewhere = tempDir('runbook-timeline-gone-');
    writeFileSync(join(elsewhere, 'old.jsonl'), [JSON.stringify(first), ...lines.slice(1)].join('\n'));
    const md = (await runCli(['timeline', 'old.jsonl'], { cwd: elsewhere })).stdout;
    expect(md).toMatch(/_The runbook drill\.md is not here \(looked for [^)]*\); its items are unknown here except those the run ticked, listed below\._/);
    // Without the runbook's own items, no "Timeline documented" is invented.
    expect(md).not.toContain('Timeline documented');
  });

  it('--format json is one array of timeline entries matching the run', async () => {
    const result = await cli(['timeline', transcript, '--format', 'json']);
    const entries = JSON.parse(result.stdout) as { type: string; step: string | null; occurred_at: string; details: Record<string, unknown> }[];
    const cells = entries.filter((e) => e.type === 'cell');
    const finished = events.filter((e): e is CellFinished => e.type === 'cell.finished');
    expect(cells.map((e) => [e.step, e.details.status])).toEqual(finished.map((e) => [e.cell, e.status]));
    expect(entries[0]?.occurred_at).toBe(events[0]?.ts);
  });

  it('--format cast is asciicast v2: header, monotonic times, a marker per cell, the plain output', async () => {
    const result = await cli(['timeline', transcript, '--format', 'cast']);
    const [headerLine, ...lines] = result.stdout.trim().split('\n');
    const header = JSON.parse(headerLine!) as Record<string, unknown>;
    expect(header).toMatchObject({ version: 2, timestamp: Math.floor(Date.parse(events[0]!.ts) / 1000) });
    expect(Number.isInteger(header.width) && Number.isInteger(header.height)).toBe(true);
    const castEvents = lines.map((l) => JSON.parse(l) as [number, string, string]);
    const times = castEvents.map(([t]) => t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const started = events.filter((e): e is CellStarted => e.type === 'cell.started').map((e) => e.cell);
    expect(castEvents.filter(([, kind]) => kind === 'm').map(([, , label]) => label)).toEqual(started);
    const text = castEvents.filter(([, kind]) => kind === 'o').map(([, , data]) => data).join('');
    const plain = text.replace(/\r\n/g, '\n').split(String.fromCharCode(27)).map((part, i) => (i ? part.replace(/^\[[0-9;]*m/, '') : part)).join('');
    // The live output, less the `transcript:` lines the run command prints around it.
    const body = live.stdout.split('\n').slice(1, -2).join('\n') + '\n';
    expect(plain.replace(/ SANDBOX | PRODUCTION /, (badge) => `[${badge.trim()}]`)).toBe(body);
  });

  it.skipIf(!hasAsciinema())('is accepted by asciinema play', async () => {
    const cast = join(dir, 'run.cast');
    writeFileSync(cast, (await cli(['timeline', transcript, '--format', 'cast'])).stdout);
    const pty = (await import('@lydell/node-pty')).default;
    const term = pty.spawn('asciinema', ['play', '-s', '50', '-i', '0.1', cast], { cols: 120, rows: 40, env: process.env as Record<string, string> });
    let screen = '';
    term.onData((data) => (screen += data));
    const code = await new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
    expect(code, screen).toBe(0);
    expect(screen).toContain('Run failed');
  });
});

describe('runbook replay on a real run', () => {
  it('prints what the live run printed (plain, --speed 0)', async () => {
    const result = await cli(['replay', transcript, '--speed', '0']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(live.stdout);
  });

  it('reads a transcript cut mid-line with a warning, and shows unknown events as such', async () => {
    const torn = join(dir, 'torn.jsonl');
    const text = readFileSync(join(dir, transcript), 'utf8');
    const lines = text.split('\n').slice(0, -1);
    const future = JSON.stringify({ v: 1, seq: lines.length, ts: events.at(-1)!.ts, type: 'cell.flamegraph', run: events[0]!.run });
    writeFileSync(torn, `${text}${future}\n`);
    appendFileSync(torn, lines[3]!.slice(0, 40));
    const result = await cli(['replay', torn, '--speed', '0']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: line \d+ of .*torn\.jsonl is incomplete/);
    expect(result.stdout).toContain('? unknown event cell.flamegraph');
  });

  it('refuses a bad --speed with exit 2', async () => {
    const result = await cli(['replay', transcript, '--speed', 'fast']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--speed must be a number/);
  });

  it('--step waits for a line on stdin after each cell', async () => {
    const child = spawn(process.execPath, [CLI, 'replay', transcript, '--step'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const until = async (predicate: () => boolean) => {
      for (let i = 0; i < 200 && !predicate(); i += 1) await new Promise((r) => setTimeout(r, 25));
    };
    await until(() => out.includes('✓ succeeded'));
    await new Promise((r) => setTimeout(r, 300));
    expect(out).not.toContain('▶ [look]');
    child.stdin.write('\n');
    await until(() => out.includes('▶ [look]'));
    expect(out).toContain('▶ [look]');
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(out).toBe(live.stdout);
  });
});

function hasAsciinema(): boolean {
  try {
    execFileSync('asciinema', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
