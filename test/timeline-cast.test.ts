import { describe, expect, it } from 'vitest';
import { renderAsciicast } from '../src/renderers/asciicast.js';
import { createPlainRenderer } from '../src/renderers/plain.js';
import type { RunEvent } from '../src/engine/events.js';
import { dragonflyRun, RunBuilder } from './transcript-fixtures.js';

function parse(cast: string) {
  const [header, ...events] = cast.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
  return { header: header as Record<string, unknown>, events: events as [number, string, string][] };
}

describe('renderAsciicast', () => {
  const run = dragonflyRun();
  const { header, events } = parse(renderAsciicast(run.events, { transcriptPath: 't.jsonl' }));

  it('starts with an asciicast v2 header', () => {
    expect(header).toEqual({
      version: 2, width: 80, height: 40, timestamp: Math.floor(Date.UTC(2026, 0, 2, 3, 4, 5, 123) / 1000),
      title: 'Dragonfly Production Incident Runbook — run run-0001', env: { TERM: 'xterm-256color' },
    });
  });

  it('plays the plain rendering at the moments it was printed, with CRLF line ends', () => {
    let live = '';
    const render = createPlainRenderer((text) => (live += text), { color: true, transcriptPath: 't.jsonl' });
    run.events.forEach(render);
    const output = events.filter(([, kind]) => kind === 'o');
    expect(output.map(([, , text]) => text).join('')).toBe(live.replace(/\n/g, '\r\n'));
    expect(output[0]?.[0]).toBe(0);
    const note = run.events.find((e) => e.type === 'operator.note')!;
    expect(output.find(([, , text]) => text.includes('jobs look stuck'))?.[0]).toBe((Date.parse(note.ts) - Date.parse(run.events[0]!.ts)) / 1000);
  });

  it('marks each cell.started with the cell id, before the cell shows', () => {
    expect(events.filter(([, kind]) => kind === 'm').map(([, , label]) => label)).toEqual(['containment', 'diagnostics', 'release-stuck-jobs']);
    const marker = events.findIndex(([, kind, label]) => kind === 'm' && label === 'diagnostics');
    expect(events[marker + 1]?.[2]).toContain('▶ [diagnostics]');
  });

  it('keeps time monotonic when a resumed run came from a machine whose clock was behind', () => {
    const resumed = new RunBuilder().started({ cells: [] }).wait(10_000)
      .cell({ id: 'a', lang: 'sh', line: 1, section: [], source: 'x', durationMs: 5 });
    const behind = new RunBuilder('run-0001', Date.UTC(2026, 0, 2, 3, 4, 6))
      .emit({ type: 'run.resumed', actor: 'bob', host: 'h', argv: [] })
      .cell({ id: 'b', lang: 'sh', line: 2, section: [], source: 'y', durationMs: 5 });
    const all: RunEvent[] = [...resumed.events, ...behind.events.map((e, i) => ({ ...e, seq: resumed.events.length + i }))];
    const times = parse(renderAsciicast(all)).events.map(([time]) => time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('widens the terminal for wide output, up to 200 columns', () => {
    const wide = new RunBuilder().started({ cells: [] }).emit({ type: 'cell.output', cell: 'c', stream: 'stdout', data: `${'x'.repeat(150)}\n` });
    expect(parse(renderAsciicast(wide.events)).header.width).toBe(152);
  });
});
