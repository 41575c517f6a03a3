/**
 * What follow lets through, on rows built in memory with the transcript's own line format:
 * a run in seq order whatever the commit order, a repeated read adds nothing, a gap holds
 * later rows only up to its bounds (per run and all runs together), a changed row ends its run.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/engine/events.js';
import { FollowChains, type Shown } from '../src/engine/log/follow-chains.js';
import type { StoredRow } from '../src/engine/log/store.js';
import { serializeLine } from '../src/engine/transcript/format.js';

/** A run of `count` chained lines as log rows. */
function run(id: string, count: number, actor = 'ann'): StoredRow[] {
  let hash = '';
  const rows: StoredRow[] = [];
  for (let seq = 0; seq < count; seq += 1) {
    const ts = new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString();
    const event = (seq === 0
      ? { v: 1, seq, ts, type: 'run.started', run: id, actor, host: 'h', argv: [], runbook: { path: 'r.md', sha256: 'x' }, target: { kind: 'sandbox', url: 'u' }, mode: 'unattended' }
      : { v: 1, seq, ts, type: 'operator.note', run: id, actor, text: `note ${seq}` }) as unknown as RunEvent;
    const serialized = serializeLine(event, hash);
    hash = serialized.hash;
    rows.push({ id: String(rows.length + 1), run: id, seq, ts, type: event.type, actor: 'column-says-mallory', line: serialized.line.trimEnd() });
  }
  return rows;
}

const shownRows = (shown: Shown[]) => shown.flatMap((s) => (s.kind === 'row' ? [`${s.row.run}:${s.row.seq}:${s.row.actor}`] : []));

describe('FollowChains', () => {
  it('puts a run in seq order, drops a row read twice, and names the actor from the chain', () => {
    const chains = new FollowChains();
    const rows = run('r1', 4);
    const shown = [rows[2], rows[0], rows[0], rows[1], rows[3], rows[3]].flatMap((row) => chains.accept(row as StoredRow));
    expect(shownRows(shown)).toEqual(['r1:0:ann', 'r1:1:ann', 'r1:2:ann', 'r1:3:ann']);
    expect(shown.some((s) => s.kind === 'broken')).toBe(false);
  });

  it('a gap that does not fill gives up its run after the per-run bound, once', () => {
    const chains = new FollowChains({ rows: 3, bytes: 1 << 20, totalBytes: 1 << 30 });
    const rows = run('r1', 8);
    const shown = rows.slice(1).flatMap((row) => chains.accept(row));
    expect(shown).toEqual([{ kind: 'broken', run: 'r1', actor: undefined, seq: 0, reason: 'seq 0 has not arrived, though 4 later events have' }]);
    expect(chains.accept(rows[0] as StoredRow)).toEqual([]);
  });

  it('gaps in many runs together are bounded: the gaps open longest are given up first', () => {
    const chains = new FollowChains({ rows: 1000, bytes: 1 << 20, totalBytes: 3000 });
    const broken: Shown[] = [];
    for (let i = 0; i < 20; i += 1) broken.push(...run(`r${i}`, 3).slice(1).flatMap((row) => chains.accept(row)));
    expect(broken.length).toBeGreaterThan(0);
    expect(broken.every((s) => s.kind === 'broken' && /has not arrived/.test(s.reason))).toBe(true);
    expect(broken.map((s) => (s.kind === 'broken' ? s.run : ''))).toEqual(Array.from({ length: broken.length }, (_, i) => `r${i}`));
    // A later run with a gap still gets its rows held (an older gap makes room) and shown.
    const late = run('late', 2);
    const room = chains.accept(late[1] as StoredRow);
    expect(room.every((s) => s.kind === 'broken' && s.run !== 'late')).toBe(true);
    expect(shownRows(chains.accept(late[0] as StoredRow))).toEqual(['late:0:ann', 'late:1:ann']);
  });

  it('a changed row ends its run at that row; the other run goes on', () => {
    const chains = new FollowChains();
    const a = run('a', 3);
    const b = run('b', 2, 'bo');
    const changed = { ...(a[1] as StoredRow), line: (a[1] as StoredRow).line.replace('note 1', 'note X') };
    const shown = [a[0], changed, b[0], a[2], b[1]].flatMap((row) => chains.accept(row as StoredRow));
    expect(shownRows(shown)).toEqual(['a:0:ann', 'b:0:bo', 'b:1:bo']);
    expect(shown.filter((s) => s.kind === 'broken')).toEqual([
      { kind: 'broken', run: 'a', actor: 'ann', seq: 1, reason: 'hash does not match the chain (this line was changed, or one before it)' },
    ]);
  });
});
