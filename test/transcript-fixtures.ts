/**
 * Event sequences shaped like a real run (the runner's order: run.started, decision,
 * cell.started, output/results, cell.finished, …, run.finished), stamped with seq and
 * UTC times on a controllable clock. Used by the transcript, timeline and plain tests.
 */
import type { CellError, CellStatus, CellSummary, EventBody, RunEvent, RunStatus } from '../src/engine/events.js';
import type { Lang } from '../src/engine/runbook.js';

export interface CellScript {
  id: string;
  lang: Lang;
  line: number;
  section: string[];
  source: string;
  durationMs: number;
  status?: CellStatus;
  exitCode?: number;
  error?: CellError;
  reason?: string;
  output?: { stream: 'stdout' | 'stderr' | 'notice'; data: string }[];
  results?: { statement: string; title?: string; command: string; columns: string[]; rows: unknown[][]; rowCount: number; truncated?: boolean }[];
  actor?: string;
}

export class RunBuilder {
  readonly events: RunEvent[] = [];
  private clock: number;
  private seq = 0;

  constructor(
    readonly run = 'run-0001',
    start = Date.UTC(2026, 0, 2, 3, 4, 5, 123),
  ) {
    this.clock = start;
  }

  /** Moves the clock forward. */
  wait(ms: number): this {
    this.clock += ms;
    return this;
  }

  emit(body: EventBody | (Record<string, unknown> & { type: string })): this {
    this.events.push({ v: 1, seq: this.seq++, ts: new Date(this.clock).toISOString(), run: this.run, ...body } as RunEvent);
    return this;
  }

  started(opts: { cells: CellSummary[]; actor?: string; kind?: 'sandbox' | 'postgres' | 'none'; path?: string; sha256?: string; mode?: 'interactive' | 'unattended' | 'dry-run' }): this {
    return this.emit({
      type: 'run.started',
      runbook: { path: opts.path ?? 'runbooks/dragonfly.md', sha256: opts.sha256 ?? 'a'.repeat(64), title: 'Dragonfly Production Incident Runbook' },
      actor: opts.actor ?? 'alice',
      host: 'oncall-laptop',
      target: {
        kind: opts.kind ?? 'sandbox',
        url: 'postgres://postgres:********@127.0.0.1:5432/dragonfly',
        name: opts.kind === 'postgres' ? 'prod' : 'sandbox',
      },
      mode: opts.mode ?? 'unattended',
      argv: ['run', 'runbooks/dragonfly.md', '--yes'],
      cells: opts.cells,
    });
  }

  cell(script: CellScript): this {
    const actor = script.actor ?? 'alice';
    if (script.status === 'skipped') {
      this.emit({ type: 'operator.decision', cell: script.id, action: 'skip', actor });
      return this.emit({ type: 'cell.finished', cell: script.id, status: 'skipped', durationMs: 0, reason: script.reason ?? 'operator skipped' });
    }
    this.emit({ type: 'operator.decision', cell: script.id, action: 'run', actor });
    this.wait(3).emit({ type: 'cell.started', cell: script.id, lang: script.lang, line: script.line, section: script.section, source: script.source, attempt: 1 });
    const steps = (script.output?.length ?? 0) + (script.results?.length ?? 0);
    const step = Math.floor(script.durationMs / (steps + 1));
    script.output?.forEach((o) => this.wait(step).emit({ type: 'cell.output', cell: script.id, stream: o.stream, data: o.data }));
    script.results?.forEach((r, i) =>
      this.wait(step).emit({ type: 'sql.result', cell: script.id, index: i + 1, truncated: false, ...r }),
    );
    this.wait(script.durationMs - step * steps);
    const finished: EventBody = {
      type: 'cell.finished',
      cell: script.id,
      status: script.status ?? 'succeeded',
      durationMs: script.durationMs,
      ...(script.exitCode === undefined ? {} : { exitCode: script.exitCode }),
      ...(script.error ? { error: script.error } : {}),
    };
    return this.emit(finished);
  }

  note(text: string, actor = 'alice', cell?: string): this {
    return this.emit({ type: 'operator.note', text, actor, ...(cell ? { cell } : {}) });
  }

  tick(item: string, line: number, actor = 'alice'): this {
    return this.emit({ type: 'checklist.ticked', item, checked: true, line, actor });
  }

  finished(status: RunStatus): this {
    // Like the runner: each cell counts once, with its last status.
    const last = new Map<string, CellStatus>();
    for (const e of this.events) if (e.type === 'cell.finished') last.set(e.cell, e.status);
    const counts: Partial<Record<CellStatus, number>> = {};
    for (const status of last.values()) counts[status] = (counts[status] ?? 0) + 1;
    const start = Date.parse(this.events[0]?.ts ?? new Date(this.clock).toISOString());
    return this.emit({ type: 'run.finished', status, durationMs: this.clock - start, counts });
  }
}

export const DIAGNOSTICS = ['Dragonfly Production Incident Runbook', '2. Diagnostics (SQL - run against prod)'];
export const REMEDIATION = ['Dragonfly Production Incident Runbook', '3. Remediation', 'Release Stuck Jobs'];

/** A run like the Dragonfly one: a shell cell, diagnostics, a failing remediation, a note, a tick. */
export function dragonflyRun(run = 'run-0001'): RunBuilder {
  return new RunBuilder(run)
    .started({
      cells: [
        { id: 'containment', lang: 'sh', line: 28, section: ['Dragonfly Production Incident Runbook', '1. Immediate Containment (< 2 min)'], effect: 'write' },
        { id: 'diagnostics', lang: 'sql', line: 44, section: DIAGNOSTICS, effect: 'read' },
        { id: 'release-stuck-jobs', lang: 'sql', line: 103, section: REMEDIATION, effect: 'write' },
      ],
    })
    .wait(40)
    .cell({
      id: 'containment', lang: 'sh', line: 28, section: ['Dragonfly Production Incident Runbook', '1. Immediate Containment (< 2 min)'],
      source: 'echo scaling workers to 0\necho oops >&2', durationMs: 220, exitCode: 0,
      output: [{ stream: 'stdout', data: 'scaling workers to 0\n' }, { stream: 'stderr', data: 'oops | pipe\n' }],
    })
    .wait(1500)
    .cell({
      id: 'diagnostics', lang: 'sql', line: 44, section: DIAGNOSTICS, source: '-- Who am I?\nSELECT current_user;', durationMs: 35,
      results: [
        { statement: 'SELECT current_user, session_user', title: 'Who am I?', command: 'SELECT', columns: ['current_user', 'session_user'], rows: [['postgres', 'postgres']], rowCount: 1 },
        { statement: 'SELECT id, status FROM ops.jobs', title: 'Stuck jobs', command: 'SELECT', columns: ['id', 'status'], rows: [[1, 'in_progress'], [22, null]], rowCount: 40, truncated: true },
      ],
    })
    .note('jobs look stuck since 02:50 | see #incident')
    .wait(62_000)
    .cell({
      id: 'release-stuck-jobs', lang: 'sql', line: 103, section: REMEDIATION,
      source: "UPDATE ops.jobs SET status = 'pending'", durationMs: 12, status: 'failed',
      error: { message: 'relation "ops.jobs" does not exist', code: '42P01', hint: 'Check the schema.' },
    })
    .tick('Root cause identified (logs, metrics, code diff)', 128)
    .finished('failed');
}
