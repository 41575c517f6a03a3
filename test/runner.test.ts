/**
 * The runner through real parts: real PostgreSQL, real bash, a real transcript; the
 * operator is a script (the one stand-in: a person at the keyboard).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readRunbookFile, parseRunbook } from '../src/engine/parse.js';
import { Runner, type RunnerOptions } from '../src/engine/runner.js';
import { TranscriptWriter, verifyTranscript } from '../src/engine/transcript.js';
import { freshDatabase, query } from './support/database.js';
import { collector, fixture, noTarget, postgresTarget, runEach, scriptedOperator, tempDir } from './runner-support.js';
import type { Decision, DecisionContext } from '../src/engine/operator.js';
import type { Runbook } from '../src/engine/runbook.js';
import { renderTimelineMarkdown } from '../src/renderers/timeline.js';
import { timelineEntries } from '../src/renderers/timeline-json.js';

let url: string;
let ops: Runbook;

beforeAll(async () => {
  url = await freshDatabase('runner');
  ops = await readRunbookFile(fixture('ops-drill.md'));
});

function options(overrides: Partial<RunnerOptions> & Pick<RunnerOptions, 'runbook' | 'operator'>): RunnerOptions {
  return { target: postgresTarget(url), mode: 'interactive', variables: [], actor: 'tester', argv: [], ...overrides };
}

describe('Runner', () => {
  it('walks every cell, records decisions, and keeps seq gap-free in a verifiable transcript', async () => {
    const db = await freshDatabase('walk');
    const path = join(tempDir(), 't.jsonl');
    const transcript = TranscriptWriter.open(path);
    const seen = collector();
    const runner = new Runner(options({ runbook: ops, operator: scriptedOperator(runEach), target: postgresTarget(db), transcript, sinks: [seen.sink] }));
    const summary = await runner.run();
    transcript.close();

    expect(summary).toMatchObject({ status: 'failed', outcome: 'cell-failed', counts: { succeeded: 5, failed: 1 } });
    const finished = Object.fromEntries(seen.of('cell.finished').map((e) => [e.cell, e.status]));
    expect(finished).toEqual({ setup: 'succeeded', 'count-stuck': 'succeeded', 'set-marker': 'succeeded', 'read-marker': 'succeeded', broken: 'failed', after: 'succeeded' });
    expect(seen.of('sql.result').find((r) => r.cell === 'count-stuck')).toMatchObject({ title: 'stuck', rows: [['2']], rowCount: 1 });
    // The error leaves the next cell's SQL working (no "current transaction is aborted").
    expect(seen.of('cell.finished').find((e) => e.cell === 'broken')?.error?.code).toBe('42P01');
    expect(seen.of('sql.result').find((r) => r.cell === 'after')?.rows).toEqual([['3']]);
    // export in one sh cell is seen by the next.
    expect(seen.of('cell.output').filter((o) => o.cell === 'read-marker').map((o) => o.data).join('')).toContain('marker=set-in-one-cell');
    expect(seen.of('operator.decision').filter((d) => d.action === 'run')).toHaveLength(6);
    expect(seen.events.map((e) => e.seq)).toEqual(seen.events.map((_, i) => i));
    expect(seen.events.every((e) => e.v === 1 && e.run === runner.runId && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(e.ts))).toBe(true);
    expect(seen.events[0]?.type).toBe('run.started');
    expect(seen.events.at(-1)).toMatchObject({ type: 'run.finished', status: 'failed', counts: { succeeded: 5, failed: 1 } });
    expect(await verifyTranscript(path)).toMatchObject({ ok: true });
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(seen.events.length);
  });

  it('runs what the operator saved after an edit, and a retry after a failure', async () => {
    const db = await freshDatabase('edit');
    await query(db, 'CREATE SCHEMA ops; CREATE TABLE ops.jobs (id int, status text)');
    const runbook = parseRunbook('# E\n\n## Broken\n\n```sql {name=q}\nSELECT * FROM ops.nope;\n```\n', 'e.md');
    const script = (ctx: DecisionContext): Decision => {
      if (ctx.attempts === 0) return { action: 'run' };
      if (ctx.lastStatus === 'failed' && ctx.source.includes('nope')) return { action: 'edit', source: 'SELECT 41 + 1 AS answer;' };
      if (ctx.lastStatus === 'failed') return { action: 'retry' };
      return { action: 'next' };
    };
    const seen = collector();
    const summary = await new Runner(options({ runbook, operator: scriptedOperator(script), target: postgresTarget(db), sinks: [seen.sink] })).run();
    expect(summary.outcome).toBe('ok');
    expect(seen.of('operator.decision').map((d) => d.action)).toEqual(['run', 'edit', 'retry']);
    expect(seen.of('operator.decision')[1]?.source).toBe('SELECT 41 + 1 AS answer;');
    expect(seen.of('cell.started').map((s) => [s.attempt, s.source])).toEqual([
      [1, 'SELECT * FROM ops.nope;'],
      [2, 'SELECT 41 + 1 AS answer;'],
    ]);
    expect(seen.of('sql.result')[0]?.rows).toEqual([['42']]);
    expect(summary.counts).toEqual({ succeeded: 1 });
  });

  it('jumps, quits, and finishes a quit run as aborted', async () => {
    const runbook = parseRunbook('# J\n\n## A\n\n```sh {name=a}\necho a\n```\n\n```sh {name=b}\necho b\n```\n\n```sh {name=c}\necho c\n```\n', 'j.md');
    const visits: string[] = [];
    const script = (ctx: DecisionContext): Decision => {
      visits.push(`${ctx.cell.id}:${ctx.attempts}`);
      if (ctx.cell.id === 'a') return ctx.attempts === 0 ? { action: 'run' } : { action: 'jump', to: 'c' };
      if (ctx.cell.id === 'c' && ctx.attempts === 0) return { action: 'run' };
      if (ctx.cell.id === 'c') return { action: 'jump', to: 'b' };
      return { action: 'quit' };
    };
    const seen = collector();
    const summary = await new Runner(options({ runbook, operator: scriptedOperator(script), target: noTarget, sinks: [seen.sink] })).run();
    expect(visits).toEqual(['a:0', 'a:1', 'c:0', 'c:1', 'b:0']);
    expect(seen.of('operator.decision').map((d) => `${d.cell}:${d.action}${d.to ? `>${d.to}` : ''}`)).toEqual(['a:run', 'a:jump>c', 'c:run', 'c:jump>b', 'b:quit']);
    expect(summary).toMatchObject({ status: 'aborted', outcome: 'ok' });
  });

  it('asks to confirm a write against a real database before every attempt, and skips it when refused', async () => {
    const db = await freshDatabase('guard');
    const runbook = parseRunbook('# G\n\n## W\n\n```sql {name=w}\nCREATE TABLE guarded (x int);\n```\n\n```sql {name=r}\nSELECT 1;\n```\n', 'g.md');
    const refuse = scriptedOperator(runEach, { confirm: () => false });
    const seen = collector();
    await new Runner(options({ runbook, operator: refuse, target: postgresTarget(db), sinks: [seen.sink] })).run();
    expect(refuse.confirmations).toEqual([`w@${postgresTarget(db).name}`]);
    expect(seen.of('cell.finished').find((f) => f.cell === 'w')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/not confirmed/) });
    expect(await query(db, "SELECT to_regclass('public.guarded') AS t")).toEqual([{ t: null }]);

    let attempts = 0;
    const retryOnce = (ctx: DecisionContext): Decision => (ctx.cell.id === 'w' && ctx.attempts < 2 && attempts++ < 2 ? { action: ctx.attempts ? 'retry' : 'run' } : ctx.attempts ? { action: 'next' } : { action: 'run' });
    const accept = scriptedOperator(retryOnce);
    const seen2 = collector();
    await new Runner(options({ runbook, operator: accept, target: postgresTarget(db), sinks: [seen2.sink] })).run();
    // The retry is a second write: confirmed again, and recorded again.
    expect(accept.confirmations).toHaveLength(2);
    expect(seen2.of('operator.decision').filter((d) => d.action === 'confirm').map((d) => d.cell)).toEqual(['w', 'w']);
    expect(seen2.of('cell.started').filter((s) => s.cell === 'w')).toHaveLength(2);
  });

  it('records each attempt with the plan of the text it ran: an edited SELECT that became a write is a write, in the timeline too', async () => {
    const runbook = parseRunbook('# E\n\n## A\n\n```sql {name=probe}\nSELECT 1;\n```\n', 'e.md');
    const edited = 'CREATE TEMP TABLE edited_into_a_write (y int);';
    const script = (ctx: DecisionContext): Decision => (ctx.source !== edited ? { action: 'edit', source: edited } : ctx.attempts === 0 ? { action: 'run' } : { action: 'next' });
    const seen = collector();
    await new Runner(options({ runbook, operator: scriptedOperator(script), target: postgresTarget(url, 'sandbox'), sinks: [seen.sink] })).run();
    expect(seen.of('run.started')[0]?.cells[0]).toMatchObject({ id: 'probe', effect: 'read' });
    expect(seen.of('cell.started')).toEqual([expect.objectContaining({ cell: 'probe', source: edited, effect: 'write' })]);
    const entries = timelineEntries(seen.events);
    expect(entries.find((e) => e.type === 'cell')?.details).toMatchObject({ effect: 'write', written: edited });
    expect(renderTimelineMarkdown(seen.events)).toContain(edited);
  });

  it("gives each attempt one duration: from its cell.started to its cell.finished as recorded (never the first SQL cell's connect)", async () => {
    const db = await freshDatabase('duration');
    const runbook = parseRunbook('# D\n\n## A\n\n```sql {name=first}\nSELECT pg_sleep(0.05);\n```\n\n```sh {name=shell readonly}\nsleep 0.05\n```\n', 'd.md');
    const seen = collector();
    await new Runner(options({ runbook, operator: scriptedOperator(runEach), target: postgresTarget(db), sinks: [seen.sink] })).run();
    for (const finished of seen.of('cell.finished')) {
      const started = seen.of('cell.started').find((e) => e.cell === finished.cell);
      const span = Date.parse(finished.ts) - Date.parse(started!.ts);
      // The figure the table shows is the span the chart draws, to the event's own stamping.
      expect(finished.durationMs, finished.cell).toBeLessThanOrEqual(span);
      expect(span - finished.durationMs, finished.cell).toBeLessThan(50);
    }
  });

  it('asks for a `confirm` cell even in the sandbox, and never for a read there', async () => {
    const runbook = parseRunbook('# C\n\n## A\n\n```sql {name=asks confirm}\nSELECT 1;\n```\n\n```sql {name=plain-write}\nCREATE TEMP TABLE x (y int);\n```\n', 'c.md');
    const operator = scriptedOperator(runEach);
    await new Runner(options({ runbook, operator, target: postgresTarget(url, 'sandbox') })).run();
    expect(operator.confirmations).toEqual([`asks@${postgresTarget(url, 'sandbox').name}`]);
  });

  it('runs a readonly cell in a READ ONLY transaction: a write in it fails with 25006 and changes nothing', async () => {
    const db = await freshDatabase('ro');
    await query(db, "CREATE TABLE t (x int); INSERT INTO t VALUES (1)");
    const runbook = parseRunbook('# R\n\n## A\n\n```sql {name=sneaky readonly}\nUPDATE t SET x = 2;\n```\n', 'r.md');
    const seen = collector();
    const summary = await new Runner(options({ runbook, operator: scriptedOperator(runEach), target: postgresTarget(db), sinks: [seen.sink] })).run();
    expect(seen.of('cell.finished')[0]).toMatchObject({ status: 'failed', error: { code: '25006' } });
    expect(summary.outcome).toBe('cell-failed');
    expect(await query(db, 'SELECT x FROM t')).toEqual([{ x: 1 }]);
  });

  it('spills output past the cap to a sidecar file: one event says so and nothing is lost', async () => {
    const dir = tempDir();
    const path = join(dir, 'spill.jsonl');
    const transcript = TranscriptWriter.open(path);
    const runbook = parseRunbook('# S\n\n## A\n\n```sh {name=loud}\nseq 1 5000\necho done >&2\n```\n', 's.md');
    const seen = collector();
    await new Runner(options({ runbook, operator: scriptedOperator(runEach), target: noTarget, transcript, sinks: [seen.sink], outputCapBytes: 1000 })).run();
    transcript.close();
    const spilled = seen.of('cell.output.spilled');
    expect(spilled.map((s) => s.stream).sort()).toEqual(['stderr', 'stdout']);
    const inEvents = seen.of('cell.output').filter((o) => o.stream === 'stdout').map((o) => o.data).join('');
    expect(Buffer.byteLength(inEvents)).toBeLessThanOrEqual(1000);
    const stdoutFile = join(dir, spilled.find((s) => s.stream === 'stdout')!.path);
    const all = inEvents + readFileSync(stdoutFile, 'utf8');
    expect(all).toBe(Array.from({ length: 5000 }, (_, i) => `${i + 1}\n`).join(''));
    expect(readFileSync(join(dir, spilled.find((s) => s.stream === 'stderr')!.path), 'utf8')).toBe('done\n');
  });

  it('abort() while the operator is thinking ends the run as aborted with exit 130', async () => {
    const runbook = parseRunbook('# A\n\n## A\n\n```sh {name=a}\necho a\n```\n', 'a.md');
    const seen = collector();
    const runner = new Runner(options({ runbook, operator: scriptedOperator(() => new Promise<Decision>(() => {})), target: noTarget, sinks: [seen.sink] }));
    const done = runner.run();
    setTimeout(() => runner.abort(), 100);
    expect(await done).toMatchObject({ status: 'aborted', outcome: 'interrupted' });
    expect(seen.of('cell.started')).toHaveLength(0);
    expect(seen.events.at(-1)).toMatchObject({ type: 'run.finished', status: 'aborted' });
  });

  it('asks the operator for a missing value, validates it, and records that it was given', async () => {
    const runbook = parseRunbook('---\nvariables:\n  SHA:\n    pattern: "[0-9a-f]{7}"\n---\n# V\n\n## A\n\n```sh {name=a}\necho "sha=<SHA>"\n```\n', 'v.md');
    let calls = 0;
    const operator = scriptedOperator(runEach);
    operator.askVariable = async () => (calls++ === 0 ? 'not-hex' : 'abcdef0');
    const seen = collector();
    await new Runner(options({ runbook, operator, target: noTarget, sinks: [seen.sink] })).run();
    expect(calls).toBe(2);
    // The refusal is its own event, not a note in the operator's name.
    expect(seen.of('variable.refused')).toEqual([expect.objectContaining({ name: 'SHA', reason: expect.stringContaining('"not-hex" does not match') })]);
    expect(seen.of('operator.note')).toEqual([]);
    expect(seen.of('variable.bound')).toEqual([expect.objectContaining({ name: 'SHA', source: 'prompt', value: 'abcdef0', secret: false })]);
    expect(seen.of('cell.output').map((o) => o.data).join('')).toBe('sha=abcdef0\n');
  });
});
