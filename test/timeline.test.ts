import { describe, expect, it } from 'vitest';
import { renderTimelineMarkdown } from '../src/renderers/timeline.js';
import { renderTimelineJson, timelineEntries } from '../src/renderers/timeline-json.js';
import type { RunEvent } from '../src/engine/events.js';
import { dragonflyRun, RunBuilder } from './transcript-fixtures.js';

/** The cells of a GFM table row, split on pipes that are not escaped. */
function cellsOf(row: string): string[] {
  return row.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim());
}

function tableRows(markdown: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.indexOf('| Time (UTC) | +elapsed | Actor | Step | Action | Result |');
  const rows: string[][] = [];
  for (let i = start + 2; lines[i]?.startsWith('|'); i += 1) rows.push(cellsOf(lines[i]!));
  return rows;
}

function resumedRun(): RunBuilder {
  const section = ['Dragonfly Production Incident Runbook', 'Checks'];
  return new RunBuilder('run-r')
    .started({ cells: [], actor: 'alice', kind: 'postgres' })
    .wait(1000)
    .emit({ type: 'operator.decision', cell: 'count', action: 'edit', actor: 'alice', source: 'SELECT count(*) FROM jobs WHERE status = \'stuck\'' })
    .cell({ id: 'count', lang: 'sql', line: 10, section, source: 'SELECT count(*) FROM jobs', durationMs: 50, results: [{ statement: 'SELECT count(*)', command: 'SELECT', columns: ['count'], rows: [['7']], rowCount: 1 }] })
    .wait(2000)
    .emit({ type: 'operator.decision', cell: 'release', action: 'run', actor: 'alice' })
    .emit({ type: 'operator.decision', cell: 'release', action: 'confirm', actor: 'alice' })
    .emit({ type: 'cell.started', cell: 'release', lang: 'sql', line: 20, section, source: 'UPDATE jobs SET status = \'pending\'', attempt: 1 })
    .wait(400)
    // killed here: no cell.finished, no run.finished; then resumed by bob
    .wait(600_000)
    .emit({ type: 'run.resumed', actor: 'bob', host: 'bob-laptop', argv: ['resume', 't.jsonl'], from: 'release' })
    .emit({ type: 'operator.decision', cell: 'release', action: 'run', actor: 'bob' })
    .wait(5)
    .emit({ type: 'cell.started', cell: 'release', lang: 'sql', line: 20, section, source: 'UPDATE jobs SET status = \'pending\'', attempt: 1 })
    .wait(30_000)
    .emit({ type: 'cell.finished', cell: 'release', status: 'timed-out', durationMs: 30_000, error: { message: 'canceling statement due to statement timeout', code: '57014' } })
    .emit({ type: 'operator.decision', cell: 'release', action: 'retry', actor: 'bob' })
    .emit({ type: 'cell.started', cell: 'release', lang: 'sql', line: 20, section, source: 'UPDATE jobs SET status = \'pending\'', attempt: 2 })
    .wait(900)
    .emit({ type: 'sql.result', cell: 'release', index: 1, statement: 'UPDATE jobs', command: 'UPDATE', columns: [], rows: [], rowCount: 7, truncated: false })
    .emit({ type: 'cell.finished', cell: 'release', status: 'succeeded', durationMs: 900 })
    .emit({ type: 'cell.finished', cell: 'smoke', status: 'skipped', durationMs: 0, reason: 'pwsh not found' })
    .finished('succeeded');
}

describe('renderTimelineMarkdown', () => {
  const markdown = renderTimelineMarkdown(dragonflyRun().events, {
    checklist: { items: [
      { text: 'Root cause identified (logs, metrics, code diff)', checked: false },
      { text: 'Timeline documented (first symptom → resolution)', checked: false },
      { text: 'Missing test added (unit/integration)', checked: false, owner: 'dana' },
    ] },
    transcript: { path: 'transcripts/dragonfly-20260102T030405Z.jsonl', verified: { ok: true, events: 17 } },
  });

  it('opens with the facts of the run: runbook and sha256, masked target, actors, UTC start and end, duration, outcome', () => {
    expect(markdown).toContain('## Incident timeline: Dragonfly Production Incident Runbook\n');
    expect(markdown).toContain(`- **Runbook:** \`runbooks/dragonfly.md\` (sha256 \`${'a'.repeat(64)}\`)`);
    expect(markdown).toContain('- **Target:** SANDBOX `postgres://postgres:********@127.0.0.1:5432/dragonfly`');
    expect(markdown).toContain('- **Actors:** alice\n');
    expect(markdown).toContain('- **Start:** 2026-01-02 03:04:05.123 UTC\n');
    expect(markdown).toContain('- **End:** 2026-01-02 03:05:08.939 UTC\n');
    expect(markdown).toContain('- **Duration:** 1 min 3 s\n');
    expect(markdown).toContain('- **Outcome:** failed: 2 succeeded, 1 failed\n');
    expect(markdown).toContain('- **Transcript:** `transcripts/dragonfly-20260102T030405Z.jsonl`: hash chain verified, 17 events');
  });

  it('has a row per cell and note (ticks go to the checklist), with what mattered, between RUN STARTED, FIRST FAILURE and RUN ENDED', () => {
    expect(tableRows(markdown)).toEqual([
      ['03:04:05.123', '+0:00.000', 'alice', '', '**RUN STARTED**', 'unattended run against SANDBOX'],
      ['03:04:05.166', '+0:00.043', 'alice', '`containment`', 'ran sh cell, line 28 on sandbox', 'succeeded in 220 ms · exit 0<br>› scaling workers to 0 ([W1](#timeline-w1), [O1](#timeline-o1))'],
      ['03:04:06.889', '+0:01.766', 'alice', '`diagnostics`', 'ran sql cell, line 44 on sandbox', 'succeeded in 35 ms. Who am I?: 1 row returned; Stuck jobs: 40 rows returned<br>› Who am I?: current\\_user=postgres, session\\_user=postgres'],
      ['03:04:06.924', '+0:01.801', 'alice', '', 'note', 'jobs look stuck since 02:50 \\| see #incident'],
      ['03:05:08.927', '+1:03.804', 'alice', '`release-stuck-jobs`', 'ran sql cell, line 103 on sandbox', 'failed after 12 ms: relation "ops.jobs" does not exist (SQLSTATE 42P01)<br>› Check the schema. ([W2](#timeline-w2))'],
      ['03:05:08.939', '+1:03.816', 'alice', '`release-stuck-jobs`', '**FIRST FAILURE**', 'failed after 12 ms: relation "ops.jobs" does not exist (SQLSTATE 42P01)'],
      ['03:05:08.939', '+1:03.816', 'alice', '', '**RUN ENDED**', 'failed: 2 succeeded, 1 failed'],
    ]);
  });

  it('says in a sentence, instead of drawing a chart, when every cell is under 1% of the run', () => {
    // 220 ms, 35 ms and 12 ms on a 64-second axis: three invisible slivers.
    expect(markdown).not.toContain('```mermaid');
    expect(markdown).toContain(
      '### Where the minutes went\n\nThe 3 cells took 12 ms to 220 ms each, 267 ms in all, of 1 min 3 s on the run\'s clock; the rest was reading, deciding and waiting. Each is under 1% of the run, so no chart is drawn.\n',
    );
  });

  it('draws a Mermaid gantt when a cell is long enough to see, short cells at least 1% of the axis wide, failed cells crit', () => {
    const run = new RunBuilder().started({ cells: [] })
      .cell({ id: 'quick', lang: 'sh', line: 1, section: ['Doc', 'Look'], source: 'x', durationMs: 5 })
      .wait(1000)
      .cell({ id: 'slow', lang: 'sql', line: 5, section: ['Doc', 'Fix'], source: 'y', durationMs: 9000, status: 'failed' })
      .finished('failed');
    const md = renderTimelineMarkdown(run.events);
    const chart = md.slice(md.indexOf('```mermaid'), md.indexOf('```\n', md.indexOf('```mermaid') + 3) + 3);
    expect(chart.split('\n')).toEqual([
      '```mermaid',
      'gantt',
      '    title Cells on the run clock (time since RUN STARTED)',
      '    dateFormat x',
      '    axisFormat %M:%S',
      '    section Look',
      '    quick ✓ 5 ms :done, c0, 3, 104',
      '    section Fix',
      '    slow ✗ 9.0 s :crit, c1, 1011, 10011',
      '```',
    ]);
  });

  it('ends with the runbook checklist as the run left it, Timeline documented ticked', () => {
    expect(markdown.slice(markdown.indexOf('### Postmortem checklist'))).toBe(
      [
        '### Postmortem checklist',
        '',
        '| Item | Owner | Done | |',
        '|---|---|---|---|',
        '| Root cause identified (logs, metrics, code diff) |  | ☑ | ticked by alice at 03:05:08 UTC |',
        '| Timeline documented (first symptom → resolution) |  | ☑ | this timeline |',
        '| Missing test added (unit/integration) | dana | ☐ |  |',
        '',
      ].join('\n'),
    );
  });

  it('without the runbook lists only what the run ticked, says why, and invents no Timeline documented item', () => {
    const md = renderTimelineMarkdown(dragonflyRun().events, { checklist: { note: 'runbooks/dragonfly.md changed since the run' } });
    expect(md.slice(md.indexOf('### Postmortem checklist'))).toBe(
      '### Postmortem checklist\n\n_runbooks/dragonfly.md changed since the run_\n\n' +
        '- [x] Root cause identified (logs, metrics, code diff) (ticked by alice at 03:05:08 UTC)\n',
    );
  });

  it('ticks no Timeline documented when the runbook\'s checklist has no such item', () => {
    const md = renderTimelineMarkdown(dragonflyRun().events, { checklist: { items: [{ text: 'Root cause identified (logs, metrics, code diff)', checked: false }, { text: 'Runbook updated', checked: false }] } });
    expect(md.slice(md.indexOf('### Postmortem checklist'))).toBe(
      '### Postmortem checklist\n\n- [x] Root cause identified (logs, metrics, code diff) (ticked by alice at 03:05:08 UTC)\n- [ ] Runbook updated\n',
    );
  });

  it('keeps every row one table row: pipes, newlines, tags and emphasis in text are escaped', () => {
    const run = new RunBuilder().started({ cells: [] }).note('a | b\nsecond line <GOOD_SHA> *not bold* `tick` [link](x)').finished('succeeded');
    const md = renderTimelineMarkdown(run.events);
    const note = tableRows(md).find((row) => row[4] === 'note')!;
    expect(note).toHaveLength(6);
    expect(note[5]).toBe('a \\| b<br>second line &lt;GOOD\\_SHA&gt; \\*not bold\\* \\`tick\\` \\[link\\](x)');
  });

  it('follows a killed and resumed run: both actors, decisions, retries, the timeout as first failure', () => {
    const md = renderTimelineMarkdown(resumedRun().events);
    expect(md).toContain('- **Actors:** alice, bob\n');
    expect(md).toContain('- **Target:** PRODUCTION prod `postgres://postgres:********@127.0.0.1:5432/dragonfly`');
    expect(md).toContain('- **Outcome:** succeeded: 2 succeeded, 1 skipped\n');
    const rows = tableRows(md).map((row) => [row[2], row[3], row[4], row[5]]);
    expect(rows).toEqual([
      ['alice', '', '**RUN STARTED**', 'unattended run against PRODUCTION prod'],
      ['alice', '`count`', 'edited the cell', 'SELECT count(\\*) FROM jobs WHERE status = \'stuck\''],
      ['alice', '`count`', 'ran sql cell, line 10 on prod', 'succeeded in 50 ms. 1 row returned<br>› count=7'],
      ['alice', '`release`', 'confirmed a write', 'typed the target name'],
      ['alice', '`release`', 'ran sql cell, line 20 on prod', 'did not finish: the run stopped while it ran'],
      ['bob', '', '**RUN RESUMED**', 'on bob-laptop, from release'],
      ['bob', '`release`', 'ran sql cell, line 20 on prod', 'timed out after 30 s: canceling statement due to statement timeout (SQLSTATE 57014)'],
      ['bob', '`release`', '**FIRST FAILURE**', 'timed out after 30 s: canceling statement due to statement timeout (SQLSTATE 57014)'],
      ['bob', '`release`', 'retried (attempt 2) sql cell, line 20 on prod (retried by bob)', 'succeeded in 900 ms. UPDATE 7 rows affected'],
      ['bob', '', 'skipped 1 cell', 'pwsh not found: smoke'],
      ['bob', '', '**RUN ENDED**', 'succeeded: 2 succeeded, 1 skipped'],
    ]);
    // The killed attempt ends at the last event before the run stopped: its own start, here.
    // Bars are at least 1% of the 634-second axis wide (6344 ms), so the short ones are seen.
    expect(md).toContain('    count ✓ 50 ms :done, c0, 1003, 7347\n    release … unfinished :active, c1, 3053, 9397\n');
    expect(md).toContain('    release ⧗ 30 s :crit, c2, 603458, 633458\n');
    expect(md).toContain('    release attempt 2 ✓ 900 ms :done, c3, 633458, 639802\n');
    expect(md).toContain('    axisFormat %M:%S');
  });

  it('says when the transcript ends without RUN ENDED', () => {
    const events = dragonflyRun().events.slice(0, 9);
    const md = renderTimelineMarkdown(events);
    expect(md).toContain('- **Outcome:** unfinished');
    expect(md).toContain('(last event; the run did not finish)');
    expect(tableRows(md).at(-1)?.[4]).toBe('**TRANSCRIPT ENDS**');
  });

  it('masks a URL password even when a hand-edited transcript carries one', () => {
    const run = new RunBuilder().started({ cells: [], kind: 'postgres' }).note('tried postgres://admin:hunter2@db/prod');
    (run.events[0] as Extract<RunEvent, { type: 'run.started' }>).target.url = 'postgres://admin:hunter2@db/prod';
    const md = renderTimelineMarkdown(run.events);
    const json = renderTimelineJson(run.events);
    expect(md).not.toContain('hunter2');
    expect(json).not.toContain('hunter2');
    expect(md).toContain('postgres://admin:********@db/prod');
  });

  it('shows dates when the run crosses midnight UTC, and hours on the chart axis for long runs', () => {
    const run = new RunBuilder('r', Date.UTC(2026, 0, 1, 23, 30))
      .started({ cells: [] })
      .cell({ id: 'long', lang: 'sh', line: 1, section: [], source: 'sleep', durationMs: 2 * 3600_000 })
      .finished('succeeded');
    const md = renderTimelineMarkdown(run.events);
    expect(tableRows(md).at(-1)?.[0]).toBe('2026-01-02 01:30:00.003');
    expect(md).toContain('axisFormat %H:%M:%S');
  });

  it('keeps Mermaid syntax out of task and section names', () => {
    const run = new RunBuilder().started({ cells: [] })
      .cell({ id: 'a', lang: 'sh', line: 1, section: ['Doc', 'Step: one; #1'], source: 'x', durationMs: 100 });
    const md = renderTimelineMarkdown(run.events);
    expect(md).toContain('    section Step one 1\n    a ✓ 100 ms :done, c0, 3, 103\n');
  });

  it('has no chart when no cell ran', () => {
    const run = new RunBuilder().started({ cells: [] }).finished('succeeded');
    expect(renderTimelineMarkdown(run.events)).not.toContain('mermaid');
  });
});

describe('timeline JSON', () => {
  it('is one array of {occurred_at, author, type, step, run, summary, details}, a row each', () => {
    const entries = JSON.parse(renderTimelineJson(resumedRun().events)) as ReturnType<typeof timelineEntries>;
    expect(entries.every((e) => Object.keys(e).join() === 'occurred_at,author,type,step,run,summary,details')).toBe(true);
    expect(entries.shift()).toMatchObject({ type: 'clock', details: { startsWith: 'run-started' } });
    expect(entries.map((e) => e.type)).toEqual([
      'run.started', 'decision', 'cell', 'decision', 'cell', 'run.resumed', 'cell', 'first-failure', 'cell', 'skips', 'run.finished',
    ]);
    expect(entries[9]).toMatchObject({ summary: 'skipped 1 cell: pwsh not found: smoke', details: { reason: 'pwsh not found', cells: ['smoke'] } });
    expect(entries[0]).toMatchObject({ occurred_at: '2026-01-02T03:04:05.123Z', author: 'alice', step: null, summary: 'RUN STARTED: unattended run against PRODUCTION prod' });
    const retried = entries[8]!;
    expect(retried).toMatchObject({
      author: 'bob', step: 'release',
      summary: 'retried (attempt 2) sql cell, line 20 on prod (retried by bob): succeeded in 900 ms. UPDATE 7 rows affected',
      details: { attempt: 2, status: 'succeeded', durationMs: 900, section: ['Dragonfly Production Incident Runbook', 'Checks'], statements: [{ index: 1, command: 'UPDATE', rowCount: 7, text: 'UPDATE 7 rows affected' }] },
    });
    expect(entries[7]?.details).toMatchObject({ error: { code: '57014' }, status: 'timed-out' });
    expect(entries.map((e) => Date.parse(e.occurred_at))).toEqual([...entries.map((e) => Date.parse(e.occurred_at))].sort((a, b) => a - b));
  });
});
