/**
 * promptEnv in the console, the real CLI in a pseudo-terminal: each prompted `export`
 * is asked for like any other value; a quoted written value is offered (enter keeps it), a
 * bare word is shown as a hint; what the operator types reaches the shell only as data.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent, VariableBound } from '../src/engine/events.js';
import { parseLines } from './runner-support.js';
import { KEYS, spawnCli } from './support/pty.js';

describe('promptEnv in the console', () => {
  it('offers the quoted value, hints the bare word, and binds typed hostile text as data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'runbook-pty-prompt-env-'));
    const transcript = join(dir, 'run.jsonl');
    const marker = join(dir, 'pwned');
    const tui = spawnCli(['run', 'test/fixtures/runbooks/prompt-env.md', '--transcript', transcript], { cols: 100, rows: 30 });
    try {
      await tui.waitFor('enter run · s skip');
      tui.write(KEYS.enter);
      await tui.waitFor('Value for <REGION>:');
      expect(tui.screen.text()).toContain('export REGION=… in cell vars (line 12)');
      await tui.waitFor(/eu-west-1/);
      tui.write(KEYS.enter);
      await tui.waitFor('Value for <TAG>:');
      // Change the offered value: erase it and type another.
      tui.write(KEYS.backspace.repeat('release one'.length));
      tui.write('two');
      tui.write(KEYS.enter);
      await tui.waitFor('Value for <TICKET>:');
      expect(tui.screen.text()).toContain('the runbook suggests: INC-123');
      tui.write(`a[$(touch ${marker})]`);
      tui.write(KEYS.enter);
      await tui.waitFor('Value for <EMPTY>:');
      tui.write(`"; touch ${marker}; echo "✓`);
      tui.write(KEYS.enter);
      await tui.waitFor(/› +2 · quiet pending/);
      await tui.waitFor('enter run · s skip');
      tui.write(KEYS.enter);
      await tui.waitFor('enter ends the run');
      tui.write(KEYS.enter);
      expect(await tui.exited).toBe(0);
    } finally {
      tui.kill();
    }
    const events: RunEvent[] = parseLines(readFileSync(transcript, 'utf8'));
    const bound = events.filter((e): e is VariableBound => e.type === 'variable.bound').map((e) => [e.name, e.source, e.value]);
    expect(bound).toEqual([
      ['REGION', 'prompt', 'eu-west-1'],
      ['TAG', 'prompt', 'two'],
      ['TICKET', 'prompt', `a[$(touch ${marker})]`],
      ['EMPTY', 'prompt', `"; touch ${marker}; echo "✓`],
    ]);
    const printed = events.filter((e) => e.type === 'cell.output').map((e) => (e as { data: string }).data).join('');
    expect(printed).toBe(`eu-west-1\0two\0a[$(touch ${marker})]\0"; touch ${marker}; echo "✓\0as written\0`);
    expect(existsSync(marker)).toBe(false);
  });
});
