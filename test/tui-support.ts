/** Event builders for the console tests: stamped the way the runner stamps them. */
import type { EventBody, RunEvent } from '../src/engine/events.js';

export function eventMaker(start = Date.parse('2026-11-28T19:38:57.000Z')) {
  let seq = 0;
  return (body: EventBody, atMs?: number): RunEvent => {
    const ts = new Date(atMs === undefined ? start + seq * 100 : start + atMs).toISOString();
    return { v: 1, seq: seq++, ts, run: 'r1', ...body } as RunEvent;
  };
}

export const started = (cells: { id: string; section?: string[] }[], extra: Partial<Extract<EventBody, { type: 'run.started' }>> = {}): EventBody => ({
  type: 'run.started',
  runbook: { path: 'x.md', sha256: 'abc', title: 'Drill' },
  actor: 'alice',
  host: 'h',
  target: { kind: 'sandbox', url: 'postgres://localhost/x', name: 'x' },
  mode: 'interactive',
  argv: [],
  cells: cells.map((c, i) => ({ id: c.id, lang: 'sh', line: i * 10 + 1, section: c.section ?? ['S'] })),
  ...extra,
});
