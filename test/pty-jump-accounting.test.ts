/**
 * Jumps are accounted for: a jump forward leaves cells behind, and the record, the console's
 * last line and the timeline say they did not run because they were jumped over. A jump
 * records where it came from, and going back to the cell the operator is on is no jump.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTranscript } from '../src/engine/transcript.js';
import type { RunEvent } from '../src/engine/events.js';
import { renderTimelineMarkdown } from '../src/renderers/timeline.js';
import { KEYS, startConsole } from './support/pty.js';

function fiveCells(): string {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-jumps-'));
  const path = join(dir, 'jumps.md');
  const names = ['one', 'two', 'three', 'four', 'five'];
  writeFileSync(path, ['# Jumps', '', ...names.flatMap((name) => [`## ${name}`, '', `\`\`\`sh {name=${name} readonly}`, `echo ${name}`, '```', ''])].join('\n'));
  return path;
}

describe('a jump forward in the console', () => {
  it('records the cells it left behind as not run: jumped over, and where each jump came from', async () => {
    const { tui, transcript } = startConsole(fiveCells(), { name: 'jumps', cols: 110, rows: 32 });
    try {
      await tui.waitFor(/› +1 · one pending/);
      await tui.waitFor('enter run');
      tui.write(KEYS.enter);
      await tui.waitFor(/› +2 · two pending/);
      await tui.waitFor('enter run');
      // From two to four: two and three are left behind.
      tui.write('g');
      tui.write('4');
      tui.write(KEYS.enter);
      await tui.waitFor(/› +4 · four pending/);
      tui.write(KEYS.enter);
      await tui.waitFor(/› +5 · five pending/);
      await tui.waitFor('enter run');
      tui.write(KEYS.enter);
      await tui.waitFor('enter ends the run');
      // r on the cell the operator is on, after the last cell: a retry, not a jump to itself.
      await tui.waitFor(/› +5 ✓ five succeeded/);
      tui.write('r');
      await tui.waitFor(/five succeeded in .* · attempt 2/, { history: true });
      await tui.waitFor('enter ends the run');
      tui.write(KEYS.enter);
      await tui.waitFor('2 of 5 cells did not run: jumped over');
      expect(await tui.exited).toBe(3);
    } finally {
      tui.kill();
    }
    const events = (await readTranscript(transcript)).events as RunEvent[];
    const jumps = events.filter((e): e is Extract<RunEvent, { type: 'operator.decision' }> => e.type === 'operator.decision' && e.action === 'jump');
    expect(jumps.map((j) => `${j.cell}>${j.to}`)).toEqual(['two>four']);
    expect(events.filter((e) => e.type === 'operator.decision').map((e) => `${(e as { action: string }).action} ${(e as { cell: string }).cell}`)).toContain('retry five');
    expect(events.at(-1)).toMatchObject({
      type: 'run.finished',
      status: 'incomplete',
      notRun: [
        { cell: 'two', reason: 'jumped over' },
        { cell: 'three', reason: 'jumped over' },
      ],
    });
    expect(renderTimelineMarkdown(events)).toContain('2 of 5 cells did not run: jumped over');
  }, 120_000);
});
