/**
 * Prompts at 80×24 in a pseudo-terminal, the real CLI against a real PostgreSQL (so the
 * badge says PRODUCTION and writes ask): a wrong value is refused in place with the
 * reason and asked again; a mistyped confirmation says what was expected; esc refuses;
 * a skip takes a reason; the escalation line wraps whole; the last line says what did not run.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/engine/events.js';
import { readTranscript } from '../src/engine/transcript.js';
import { freshDatabase } from './support/database.js';
import { KEYS, startConsole } from './support/pty.js';

const flat = (text: string) => text.replace(/\s+/g, ' ');

describe('prompts in a pseudo-terminal at 80×24', () => {
  it('refuses a bad value in place, asks again, confirms by name, refuses on esc, skips with a reason', async () => {
    const db = await freshDatabase('prompts');
    const targetName = `${new URL(db).pathname.slice(1)}@${new URL(db).hostname}`;
    const { tui, transcript } = startConsole('test/fixtures/tui/prompts.md', { name: 'prompts', db, cols: 80, rows: 24 });
    try {
      // Asked when the operator runs the cell that uses it, not before the run: the pane says so.
      await tui.waitFor('enter run · s skip');
      expect(flat(tui.screen.text())).toContain('asks for <GOOD_SHA> when it runs');
      tui.write(KEYS.enter);
      await tui.waitFor('Value for <GOOD_SHA>:');
      let screen = tui.screen.text();
      expect(screen).toContain('the last known-good commit to redeploy');
      expect(screen).toContain('must match [0-9a-f]{7,40}');
      expect(flat(screen)).toContain('enter gives the value · esc skips redeploy');
      // The escalation line is never cut: it wraps.
      expect(flat(screen)).toContain('If data corruption suspected, freeze all writes and notify stakeholders immediately.');
      expect(screen.split('\n').every((line) => [...line].length <= 80)).toBe(true);

      tui.write('xyz');
      tui.write(KEYS.enter);
      await tui.waitFor('does not match the pattern');
      screen = tui.screen.text();
      expect(flat(screen)).toContain('✗ variable GOOD_SHA: "xyz" does not match the pattern [0-9a-f]{7,40}');
      expect(screen).toContain('Value for <GOOD_SHA>:');
      expect(screen).toMatch(/^›$/m);

      tui.write('abc1234');
      tui.write(KEYS.enter);
      // Given, the cell runs at once with it.
      await tui.waitFor(/› +2 · write-it pending/);
      expect(tui.raw()).toContain('deploying abc1234');
      await tui.waitFor('enter run · s skip');

      tui.write(KEYS.enter);
      await tui.waitFor('enter confirms');
      expect(flat(tui.screen.text())).toContain(`write-it writes to ${targetName}. Type ${targetName} to confirm:`);
      expect(flat(tui.screen.text())).toContain('esc refuses the write (the cell is skipped)');
      tui.write('prompts');
      tui.write(KEYS.enter);
      await tui.waitFor('got "prompts"');
      expect(flat(tui.screen.text())).toContain(`✗ expected ${targetName}, got "prompts": type ${targetName} exactly, or esc to refuse`);
      expect(flat(tui.screen.text())).toContain(`Type ${targetName} to confirm`);
      tui.write(KEYS.escape);
      await tui.waitFor(/› +3 · skip-me pending/);
      await tui.waitFor('enter run · s skip');

      tui.write('s');
      await tui.waitFor('Skip skip-me. Reason (optional):');
      expect(flat(tui.screen.text())).toContain('enter skips (with the reason, if any) · esc does not skip');
      tui.write('not needed in the drill');
      tui.write(KEYS.enter);
      // A console-session cell: its expected output is on screen, dimmed (documentation, never run).
      await tui.waitFor(/› +4 · pods pending/);
      await tui.waitFor('expected-pods-output');
      expect(tui.screen.text()).toContain('$ echo pods');
      expect(tui.raw()).toContain('\u001b[2mexpected-pods-output');
      await tui.waitFor('enter run · s skip');
      tui.write('s');
      await tui.waitFor('Skip pods. Reason (optional):');
      tui.write(KEYS.enter);
      await tui.waitFor('enter ends the run');
      tui.write(KEYS.enter);
      await tui.waitFor('run succeeded in');
      expect(flat(tui.screen.text())).toContain(`3 skipped: write to ${targetName} not confirmed: refused by the operator (1), not needed in the drill (1), skipped by operator (1)`);
      expect(await tui.exited).toBe(0);
    } finally {
      tui.kill();
    }

    const events = (await readTranscript(transcript)).events as RunEvent[];
    expect(events.filter((e) => e.type === 'operator.note')).toEqual([]);
    expect(events.filter((e) => e.type === 'variable.refused')).toEqual([expect.objectContaining({ name: 'GOOD_SHA', reason: expect.stringContaining('"xyz" does not match') })]);
    expect(events.filter((e) => e.type === 'variable.bound')).toEqual([expect.objectContaining({ name: 'GOOD_SHA', value: 'abc1234', source: 'prompt' })]);
    const finished = events.flatMap((e) => (e.type === 'cell.finished' ? [`${e.cell}:${e.status}${e.reason ? `:${e.reason}` : ''}`] : []));
    expect(finished).toEqual(['redeploy:succeeded', `write-it:skipped:write to ${targetName} not confirmed: refused by the operator`, 'skip-me:skipped:not needed in the drill', 'pods:skipped:skipped by operator']);
    expect(events.find((e) => e.type === 'operator.decision' && e.action === 'skip')).toMatchObject({ cell: 'skip-me', reason: 'not needed in the drill', actor: 'alice' });
  });
});
