/**
 * The console at 80×24 in a real pseudo-terminal: it fits, it survives a resize, and
 * NO_COLOR leaves no colour codes in what it writes. RUNBOOK_TUI_CAPTURE=<file> saves
 * the screen after the first cell, the capture the README shows.
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freshDatabase } from './support/database.js';
import { KEYS, quitConsole, startConsole } from './support/pty.js';


// Foreground/background colour SGR parameters: 30–37, 38;…, 40–47, 48;…, 90–97, 100–107.
// eslint-disable-next-line no-control-regex -- terminal escapes are control characters
const COLOUR = /\u001b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m/;

describe('the console at 80×24', () => {
  it('fits, survives a resize, and writes no colour under NO_COLOR', async () => {
    const db = await freshDatabase('tui80');
    const { tui } = startConsole('test/fixtures/tui/console.md', { name: 'tui80', db, cols: 80, rows: 24, env: { NO_COLOR: '1' } });
    try {
      await tui.waitFor('enter run');
      tui.write(KEYS.enter);
      await tui.waitFor(/› +2 · skip-me pending/);
      // The key line comes with the console's question about the next cell, a frame later.
      await tui.waitFor('enter run · s skip');
      const screen = tui.screen.text();
      if (process.env.RUNBOOK_TUI_CAPTURE) writeFileSync(process.env.RUNBOOK_TUI_CAPTURE, `${screen}\n`);
      // The table and the whole live area share the 24 rows: header, outline, cell, keys.
      expect(screen).toContain('(1 row)');
      expect(screen).toContain('PRODUCTION');
      expect(screen).toContain('enter run · s skip');
      expect(screen.split('\n').every((line) => [...line].length <= 80)).toBe(true);
      expect(tui.raw()).not.toMatch(COLOUR);
      expect(tui.raw()).toContain('\u001b[7m'); // inverse is not colour: the badge stays loud

      tui.resize(60, 18);
      tui.write('j');
      await tui.waitFor(/› +3 · edit-me pending/);
      expect(tui.screen.text()).toContain('PRODUCTION');
      tui.resize(100, 30);
      tui.write('k');
      await tui.waitFor(/› +2 · skip-me pending/);
      expect(tui.screen.text()).toContain('Console drill');

      expect(await quitConsole(tui)).toBe(0);
    } finally {
      tui.kill();
    }
  });
});
