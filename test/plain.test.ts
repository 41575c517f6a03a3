import { describe, expect, it } from 'vitest';
import { createPlainRenderer } from '../src/renderers/plain.js';
import type { RunEvent, UnknownEvent } from '../src/engine/events.js';
import { dragonflyRun, RunBuilder } from './transcript-fixtures.js';

function render(events: (RunEvent | UnknownEvent)[], opts?: Parameters<typeof createPlainRenderer>[1]): string {
  let out = '';
  const renderer = createPlainRenderer((text) => (out += text), opts);
  for (const event of events) renderer(event);
  return out;
}

const ESC = String.fromCharCode(27);
const stripAnsi = (text: string) => text.split(ESC).map((part, i) => (i === 0 ? part : part.replace(/^\[[0-9;]*m/, ''))).join('');

describe('createPlainRenderer', () => {
  it('prints a run as readable progress: header, cells, output, tables, errors, notes, summary', () => {
    expect(render(dragonflyRun().events, { transcriptPath: 'transcripts/dragonfly.jsonl' })).toBe(
      [
        'Dragonfly Production Incident Runbook',
        '  runbook:    runbooks/dragonfly.md',
        '  target:     [SANDBOX] postgres://postgres:********@127.0.0.1:5432/dragonfly',
        '  run:        run-0001 · unattended · alice on oncall-laptop',
        '  transcript: transcripts/dragonfly.jsonl',
        '',
        '▶ [containment] sh line 28 — 1. Immediate Containment (< 2 min)',
        '  scaling workers to 0',
        '  ! oops | pipe',
        '✓ succeeded in 220 ms · exit 0',
        '',
        '▶ [diagnostics] sql line 44 — 2. Diagnostics (SQL - run against prod)',
        '  -- Who am I?',
        '   current_user | session_user',
        '  --------------+--------------',
        '   postgres     | postgres',
        '  (1 row)',
        '',
        '  -- Stuck jobs',
        '   id |   status',
        '  ----+-------------',
        '    1 | in_progress',
        '   22 |',
        '  (40 rows, first 2 shown)',
        '',
        '✓ succeeded in 35 ms',
        '',
        '✎ alice: jobs look stuck since 02:50 | see #incident',
        '▶ [release-stuck-jobs] sql line 103 — 3. Remediation › Release Stuck Jobs',
        '  ERROR:  relation "ops.jobs" does not exist (SQLSTATE 42P01)',
        '  HINT:  Check the schema.',
        '✗ failed after 12 ms',
        '',
        '☑ alice ticked: Root cause identified (logs, metrics, code diff)',
        '',
        'Run failed in 1 min 3 s: 2 succeeded, 1 failed',
        '',
      ].join('\n'),
    );
  });

  it('marks a PRODUCTION target and masks a password that slipped into its URL', () => {
    const run = new RunBuilder().started({ cells: [], kind: 'postgres' });
    const started = run.events[0] as Extract<RunEvent, { type: 'run.started' }>;
    started.target.url = 'postgres://admin:hunter2@db.example.com/prod';
    const out = render(run.events);
    expect(out).toContain('[PRODUCTION] postgres://admin:********@db.example.com/prod (prod)');
    expect(out).not.toContain('hunter2');
  });

  it('shows unknown event types as such and carries on', () => {
    const run = new RunBuilder().emit({ type: 'cell.flamegraph', cell: 'x' }).note('still here');
    expect(render(run.events)).toBe('? unknown event cell.flamegraph\n✎ alice: still here\n');
  });

  it('joins output chunks into lines, ends an open line before anything else, and marks stderr', () => {
    const run = new RunBuilder()
      .emit({ type: 'cell.started', cell: 'c', lang: 'sh', line: 3, section: [], source: 'x', attempt: 2 })
      .emit({ type: 'cell.output', cell: 'c', stream: 'stdout', data: 'hal' })
      .emit({ type: 'cell.output', cell: 'c', stream: 'stdout', data: 'f\r\nline\nnext' })
      .emit({ type: 'cell.output', cell: 'c', stream: 'stderr', data: 'warn\n' })
      .emit({ type: 'cell.output', cell: 'c', stream: 'notice', data: 'relation "x" already exists, skipping' })
      .emit({ type: 'cell.output.spilled', cell: 'c', stream: 'stdout', path: 'run.c.stdout.log' })
      .emit({ type: 'cell.finished', cell: 'c', status: 'failed', durationMs: 61_000, exitCode: 3 });
    expect(render(run.events)).toBe(
      [
        '▶ [c] sh line 3 (attempt 2)',
        '  half',
        '  line',
        '  next',
        '  ! warn',
        '  NOTICE:  relation "x" already exists, skipping',
        '  … more stdout in run.c.stdout.log',
        '✗ failed after 1 min 1 s · exit 3',
        '',
      ].join('\n') + '\n',
    );
  });

  it('names skipped cells that never started, timeouts, cancellations and decisions', () => {
    const run = new RunBuilder()
      .emit({ type: 'cell.finished', cell: 'pwsh-only', status: 'skipped', durationMs: 0, reason: 'pwsh not found' })
      .emit({ type: 'operator.decision', cell: 'slow', action: 'edit', actor: 'bob', source: 'SELECT 2' })
      .emit({ type: 'operator.decision', cell: 'slow', action: 'jump', actor: 'bob', to: 'verify' })
      .emit({ type: 'operator.decision', cell: 'slow', action: 'run', actor: 'bob' })
      .emit({ type: 'cell.started', cell: 'slow', lang: 'sql', line: 9, section: [], source: 'SELECT pg_sleep(60)', attempt: 1 })
      .emit({ type: 'cell.finished', cell: 'slow', status: 'timed-out', durationMs: 30_000, error: { message: 'canceling statement due to statement timeout', code: '57014' } })
      .emit({ type: 'cell.finished', cell: 'slow', status: 'cancelled', durationMs: 1500 });
    const out = render(run.events);
    expect(out).toContain('↷ [pwsh-only] skipped (pwsh not found)\n');
    expect(out).toContain('» bob edited [slow]\n» bob jumped from [slow] to [verify]\n▶ [slow]');
    expect(out).toContain('  ERROR:  canceling statement due to statement timeout (SQLSTATE 57014)\n⧗ timed out after 30 s\n');
    expect(out).toContain('⊘ cancelled after 1.5 s\n');
  });

  it('prints non-SELECT results as their command tag, and a RETURNING table with its tag', () => {
    const run = new RunBuilder()
      .emit({ type: 'sql.result', cell: 'c', index: 1, statement: 'UPDATE t SET a = 1', command: 'UPDATE', columns: [], rows: [], rowCount: 12, truncated: false })
      .emit({ type: 'sql.result', cell: 'c', index: 2, statement: 'INSERT …', command: 'INSERT', columns: ['id'], rows: [[7]], rowCount: 1, truncated: false })
      .emit({ type: 'sql.result', cell: 'c', index: 3, statement: 'CREATE TABLE t ()', command: 'CREATE TABLE', columns: [], rows: [], rowCount: 0, truncated: false });
    expect(render(run.events)).toBe('  UPDATE 12\n\n   id\n  ----\n    7\n  (1 row)\n  INSERT 0 1\n\n  CREATE TABLE\n\n');
  });

  it('shows the source of every cell in a dry run, variables, preflight problems and a resumed run', () => {
    const run = new RunBuilder()
      .started({ cells: [], mode: 'dry-run' })
      .emit({ type: 'variable.bound', name: 'GOOD_SHA', source: 'flag', secret: false, value: 'abc1234' })
      .emit({ type: 'variable.bound', name: 'API_TOKEN', source: 'prompt', secret: true })
      .emit({ type: 'run.preflight', problems: [{ kind: 'interpreter', message: 'pwsh is not installed', cells: ['containment'], fatal: false }] })
      .emit({ type: 'cell.started', cell: 'c', lang: 'sql', line: 4, section: ['Dragonfly Production Incident Runbook', 'A'], source: 'SELECT 1;\nSELECT 2;', attempt: 1 })
      .emit({ type: 'cell.finished', cell: 'c', status: 'skipped', durationMs: 0, reason: 'dry run' })
      .emit({ type: 'run.resumed', actor: 'carol', host: 'h2', argv: [], from: 'c' });
    const out = render(run.events);
    expect(out).toContain('DRY RUN: every cell is shown as it would run; nothing is executed');
    expect(out).toContain('  GOOD_SHA = abc1234 (flag)\n  API_TOKEN = ******** (prompt)\n⚠ preflight: pwsh is not installed (cells: containment)\n');
    expect(out).toContain('▶ [c] sql line 4 — A\n  │ SELECT 1;\n  │ SELECT 2;\n↷ skipped (dry run)\n');
    expect(out).toContain('↻ run run-0001 resumed by carol on h2, from [c]');
  });

  it('colours when asked, with the same words underneath', () => {
    const { events } = dragonflyRun();
    const coloured = render(events, { color: true });
    expect(coloured).toContain(`${ESC}[`);
    expect(stripAnsi(coloured).replace(' SANDBOX ', '[SANDBOX]')).toBe(render(events));
  });

  it('cuts table columns to the screen width', () => {
    const run = new RunBuilder().emit({ type: 'sql.result', cell: 'c', index: 1, statement: 's', command: 'SELECT', columns: ['a', 'b'], rows: [['x'.repeat(80), 'y'.repeat(80)]], rowCount: 1, truncated: false });
    const widest = Math.max(...render(run.events, { width: 60 }).split('\n').map((l) => l.length));
    expect(widest).toBeLessThanOrEqual(62);
  });
});
