/**
 * The operator console end to end: the built CLI in a real pseudo-terminal, a real
 * PostgreSQL, real bash, a stand-in for a person in $EDITOR (a script that rewrites the
 * file). Keys in, screen text out, and then the transcript must hold exactly the
 * decisions that were made, in order.
 */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTranscript, verifyTranscript } from '../src/engine/transcript.js';
import type { RunEvent } from '../src/engine/events.js';
import { freshDatabase } from './support/database.js';
import { KEYS, quitConsole, startConsole } from './support/pty.js';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURE = 'test/fixtures/tui/console.md';
const EDITOR = join(ROOT, 'test/fixtures/tui/editor.sh');

const decisionsOf = (events: RunEvent[]) =>
  events.flatMap((e) => {
    if (e.type === 'operator.decision') return [`${e.action} ${e.cell}${e.source ? ` «${e.source}»` : ''}`];
    if (e.type === 'operator.note') return [`note «${e.text}»`];
    return [];
  });

describe('the operator console in a pseudo-terminal', () => {
  it('runs a SQL cell and shows its table, skips, edits through $EDITOR, notes, confirms a write, cancels, quits', async () => {
    const db = await freshDatabase('tui');
    const targetName = `${new URL(db).pathname.slice(1)}@${new URL(db).hostname}`;
    const { tui, transcript } = startConsole(FIXTURE, { name: 'tui', db, cols: 100, rows: 30, env: { EDITOR, VISUAL: '' } });
    try {
      await tui.waitFor('enter run');
      const first = tui.screen.text();
      expect(first).toContain('PRODUCTION');
      expect(first).toContain('Console drill');
      expect(first).toContain('alice');
      expect(first).toContain('If unresolved in 15 min, page on-call lead.');
      expect(first).toMatch(/› +1 · who-am-i pending/);

      tui.write(KEYS.enter);
      await tui.waitFor(/› +2 · skip-me pending/);
      const table = tui.screen.all();
      expect(table).toContain('✓ who-am-i succeeded');
      expect(table).toContain('-- Who am I?');
      expect(table).toMatch(/ role_name +\| answer/);
      expect(table).toMatch(/-+\+-+/);
      expect(table).toMatch(/\| +42/);
      expect(table).toContain('(1 row)');
      expect(tui.screen.text()).toMatch(/Containment: 0:\d\d \/ 1:00/);

      tui.write('s');
      await tui.waitFor('Reason (optional)');
      tui.write(KEYS.enter);
      await tui.waitFor(/› +3 · edit-me pending/);
      tui.write('e');
      await tui.waitFor('echo edited-by-editor');
      tui.write('n');
      await tui.waitFor('Note for the timeline');
      tui.write('checked the role first');
      await tui.waitFor('checked the role first');
      tui.write(KEYS.enter);
      await tui.waitFor('note: checked the role first');

      tui.write(KEYS.enter);
      await tui.waitFor(`Type ${targetName} to confirm`);
      tui.write(targetName);
      tui.write(KEYS.enter);
      await tui.waitFor(/› +4 · long pending/);
      expect(tui.screen.all()).toContain('edited-by-editor');

      tui.write(KEYS.enter);
      await tui.waitFor(/› +4 ▶ long running/);
      tui.write('c');
      await tui.waitFor(/⊘ long cancelled/);
      await tui.waitFor('r retry');

      expect(await quitConsole(tui)).toBe(0);
    } finally {
      tui.kill();
    }

    const { events, warnings } = await readTranscript(transcript);
    expect(warnings).toEqual([]);
    const known = events as RunEvent[];
    expect(decisionsOf(known)).toEqual([
      'run who-am-i',
      'skip skip-me',
      'edit edit-me «echo edited-by-editor»',
      'note «checked the role first»',
      'run edit-me',
      'confirm edit-me',
      'run long',
      'cancel long',
      'quit long',
    ]);
    const finished = known.flatMap((e) => (e.type === 'cell.finished' ? [`${e.cell}:${e.status}`] : []));
    expect(finished).toEqual(['who-am-i:succeeded', 'skip-me:skipped', 'edit-me:succeeded', 'long:cancelled']);
    expect(known.find((e) => e.type === 'sql.result')).toMatchObject({ columns: ['role_name', 'answer'], rows: [[expect.any(String), '42']] });
    expect(known.at(-1)).toMatchObject({ type: 'run.finished', status: 'aborted' });
    expect((await verifyTranscript(transcript)).ok).toBe(true);
  });
});
