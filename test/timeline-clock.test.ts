/**
 * Symptoms, times and people: the runbook's Symptoms quoted in the header, `--detected-at`
 * and notes marked `detected …` / `symptom …` starting the timeline's clock (detected →
 * first action → first write → resolved), roles from `role: IC` notes, the checklist
 * with its Owner column, all in the Markdown and the JSON. A real run of the built CLI.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { noteFacts, parseIncidentTime } from '../src/engine/note-marks.js';
import { renderTimelineMarkdown } from '../src/renderers/timeline.js';
import { timelineEntries } from '../src/renderers/timeline-json.js';
import { parseRunbook } from '../src/engine/parse.js';
import { runCli, tempDir } from './runner-support.js';
import type { RunEvent } from '../src/engine/events.js';

interface Entry { type: string; step: string | null; author: string; summary: string; occurred_at: string; details: Record<string, unknown> }

const RUNBOOK = `# Outage

## Symptoms

- \`connection refused\` on the API
- jobs stuck \`in_progress\`

## Look

\`\`\`sh {name=look readonly}
echo looking
\`\`\`

## Fix

\`\`\`sh {name=fix}
echo fixed
\`\`\`

## Postmortem Checklist

| Item | Owner | Done |
| ---- | ----- | ---- |
| Root cause identified | dana | ☐ |
| Timeline documented | | ☐ |
`;

describe('noteFacts', () => {
  const now = new Date('2026-11-28T20:10:00.000Z');
  it('reads detection and first-symptom marks, with a time or at the note\'s time', () => {
    expect(noteFacts('detected 19:52 pager fired', now)).toEqual({ mark: 'detected', markedAt: '2026-11-28T19:52:00.000Z' });
    expect(noteFacts('Symptom: at 2026-11-28T19:40:00Z first 500s', now)).toEqual({ mark: 'first-symptom', markedAt: '2026-11-28T19:40:00.000Z' });
    expect(noteFacts('first symptom', now)).toEqual({ mark: 'first-symptom', markedAt: now.toISOString() });
    // A clock time later than now was yesterday's.
    expect(noteFacts('detected 23:50', now).markedAt).toBe('2026-11-27T23:50:00.000Z');
  });
  it('reads roles, and leaves other notes alone', () => {
    expect(noteFacts('role: IC', now)).toEqual({ role: 'IC' });
    expect(noteFacts('role: scribe bob', now)).toEqual({ role: 'SCRIBE', holder: 'bob' });
    expect(noteFacts('the detector fired twice', now)).toEqual({});
    expect(noteFacts('symptoms look like last week', now)).toEqual({});
  });
  it('parses times people type, and nothing else', () => {
    expect(parseIncidentTime('19:52:30', now)?.toISOString()).toBe('2026-11-28T19:52:30.000Z');
    expect(parseIncidentTime('2026-11-28 19:52', now)?.toISOString()).toBe('2026-11-28T19:52:00.000Z');
    for (const bad of ['25:00', 'soon', '19h52', '2026-13-45T99:00']) expect(parseIncidentTime(bad, now)).toBeUndefined();
  });
});

describe('a run with --detected-at', () => {
  let md: string;
  let entries: Entry[];
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('runbook-clock-');
    writeFileSync(join(dir, 'outage.md'), RUNBOOK);
    const detected = new Date(Date.now() - 10 * 60_000).toISOString();
    const run = await runCli(['run', 'outage.md', '--yes', '--detected-at', detected, '--transcript', 'run.jsonl', '--actor', 'alice'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    // From another directory: everything the timeline needs is in the transcript.
    md = (await runCli(['timeline', join(dir, 'run.jsonl')], { cwd: tempDir('runbook-clock-elsewhere-') })).stdout;
    entries = JSON.parse((await runCli(['timeline', join(dir, 'run.jsonl'), '--format', 'json'])).stdout) as Entry[];
  }, 60_000);

  it('quotes the runbook\'s Symptoms under the header', () => {
    expect(md).toContain('### Symptoms (from the runbook)\n\n> - `connection refused` on the API\n> - jobs stuck `in_progress`\n');
    expect(entries.find((e) => e.type === 'symptoms')?.details.text).toBe('- `connection refused` on the API\n- jobs stuck `in_progress`');
  });

  it('starts the clock at the detection: a DETECTED row at +0, the run minutes later, milestones as durations', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Time'));
    expect(rows[0]).toMatch(/^\| \d\d:\d\d:\d\d\.\d{3} \| \+0:00\.000 \| alice \| {2}\| \*\*DETECTED\*\* \| --detected-at on the command line \|$/);
    expect(rows[1]).toMatch(/\| \+(9|10):\d\d\.\d{3} \| alice \| {2}\| \*\*RUN STARTED\*\*/);
    expect(md).toMatch(/- \*\*Clock:\*\* detected \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC → RUN STARTED \+\d+ min( \d+ s)? → first action \+[^(]+\(`look`\) → first write \+[^(]+\(`fix`\) → resolved \+/);
    const clock = entries[0];
    expect(clock?.type).toBe('clock');
    expect((clock?.details.milestones as { name: string }[]).map((m) => m.name)).toEqual(['detected', 'run-started', 'first-action', 'first-write', 'resolved']);
    expect(clock?.details.startsWith).toBe('detected');
  });

  it('keeps the checklist in full with its Owner column, in Markdown and JSON, from any directory', () => {
    expect(md).toContain('| Root cause identified | dana | ☐ |  |');
    expect(entries.filter((e) => e.type === 'checklist').map((e) => e.details.owner)).toEqual(['dana', '']);
  });

  it('refuses a detection time that is not one, or in the future, before running anything', async () => {
    for (const [value, says] of [['yesterday-ish', 'is not a time'], [new Date(Date.now() + 3_600_000).toISOString(), 'is in the future']] as const) {
      const run = await runCli(['run', 'outage.md', '--yes', '--detected-at', value, '--transcript', 'refused.jsonl'], { cwd: dir });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(says);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('marks and roles from notes', () => {
  const runbook = parseRunbook(RUNBOOK, 'outage.md');
  let seq = 0;
  const ev = (ts: string, body: Record<string, unknown>): RunEvent => ({ v: 1, seq: seq++, ts, run: 'r1', ...body }) as unknown as RunEvent;
  const events = [
    ev('2026-11-28T20:00:00.000Z', { type: 'run.started', runbook: { path: 'outage.md', sha256: runbook.sha256, title: 'Outage' }, actor: 'alice', host: 'h', target: { kind: 'none', url: '', name: 'none' }, mode: 'interactive', argv: [], cells: [{ id: 'fix', lang: 'sh', line: 15, section: ['Outage', 'Fix'], effect: 'write' }] }),
    ev('2026-11-28T20:01:00.000Z', { type: 'operator.note', text: 'role: IC', actor: 'alice', role: 'IC' }),
    ev('2026-11-28T20:01:30.000Z', { type: 'operator.note', text: 'symptom 19:40 first 500s', actor: 'bob', mark: 'first-symptom', markedAt: '2026-11-28T19:40:00.000Z' }),
    ev('2026-11-28T20:02:00.000Z', { type: 'cell.started', cell: 'fix', lang: 'sh', line: 15, section: ['Outage', 'Fix'], source: 'echo fixed', attempt: 1 }),
    ev('2026-11-28T20:02:01.000Z', { type: 'cell.finished', cell: 'fix', status: 'succeeded', durationMs: 1000, exitCode: 0 }),
    ev('2026-11-28T20:03:00.000Z', { type: 'run.finished', status: 'succeeded', durationMs: 180_000, counts: { succeeded: 1 } }),
  ];

  it('a first-symptom note before the run starts the clock there; roles go to the header and the JSON', () => {
    const md = renderTimelineMarkdown(events);
    expect(md).toContain('- **Roles:** IC alice');
    expect(md).toContain('- **Clock:** first symptom 2026-11-28 19:40:00.000 UTC → RUN STARTED +20 min → first action +22 min (`fix`) → first write +22 min (`fix`) → resolved +23 min');
    expect(md).toContain('| 19:40:00.000 | +0:00.000 | bob |  | **FIRST SYMPTOM** | noted: symptom 19:40 first 500s |');
    const entries = timelineEntries(events) as Entry[];
    expect(entries.find((e) => e.type === 'role')).toMatchObject({ author: 'alice', summary: 'IC: alice' });
  });
});
