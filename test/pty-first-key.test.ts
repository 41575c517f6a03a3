/**
 * No lost first key: the console is drawn before the runner has asked anything (here the
 * database answers its first connection 2.5 s late). Enter pressed the moment the first
 * cell is on screen must run that cell; a key meant for a cell the runner is not on must
 * run nothing.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/engine/events.js';
import { readTranscript } from '../src/engine/transcript.js';
import { freshDatabase } from './support/database.js';
import { KEYS, quitConsole, startConsole } from './support/pty.js';
import { slowProxy } from './support/slow-proxy.js';

const FIXTURE = 'test/fixtures/tui/console.md';

async function start(name: string) {
  const db = await freshDatabase(name);
  const proxy = await slowProxy(db, 2500);
  return { ...startConsole(FIXTURE, { name, db: proxy.url, cols: 80, rows: 24 }), proxy };
}

const decisions = async (transcript: string) =>
  ((await readTranscript(transcript)).events as RunEvent[]).flatMap((e) => (e.type === 'operator.decision' ? [`${e.action} ${e.cell}`] : []));

describe('the first key in a pseudo-terminal at 80×24', () => {
  it('runs the cell on screen when enter comes before the runner is ready', async () => {
    const { tui, proxy, transcript } = await start('firstkey');
    try {
      await tui.waitFor('who-am-i · sql · line');
      tui.write(KEYS.enter);
      // Said at once: the key is kept, not dropped.
      await tui.waitFor('enter kept for who-am-i');
      expect(tui.screen.text()).toContain('preparing…');
      await tui.waitFor('✓ who-am-i succeeded', { history: true });
      await tui.waitFor(/› +2 · skip-me pending/);
      expect(await quitConsole(tui)).toBe(0);
    } finally {
      tui.kill();
      await proxy.close();
    }
    expect(await decisions(transcript)).toEqual(['run who-am-i', 'quit skip-me']);
  });

  it('never runs another cell with a key meant for one the runner is not on', async () => {
    const { tui, proxy, transcript } = await start('wrongkey');
    try {
      await tui.waitFor('who-am-i · sql · line');
      tui.write('j');
      await tui.waitFor(/› +2 · skip-me pending/);
      tui.write(KEYS.enter);
      await tui.waitFor('enter kept for skip-me');
      // The runner asks about who-am-i: the key for skip-me is dropped, and the console says so.
      await tui.waitFor('enter for skip-me was not used: the console is on who-am-i now; press it again');
      expect(tui.screen.text()).toContain('enter run · s skip');
      expect(await quitConsole(tui)).toBe(0);
    } finally {
      tui.kill();
      await proxy.close();
    }
    expect(await decisions(transcript)).toEqual(['quit who-am-i']);
  });

  it('starts and runs with DEV=true in the environment (Ink\'s development mode is not part of the CLI\'s bundle)', async () => {
    const db = await freshDatabase('devmode');
    const { tui } = startConsole(FIXTURE, { name: 'devmode', db, cols: 80, rows: 24, env: { DEV: 'true' } });
    try {
      await tui.waitFor('who-am-i · sql · line');
      await tui.waitFor('enter run · s skip');
      tui.write(KEYS.enter);
      await tui.waitFor('✓ who-am-i succeeded', { history: true });
      expect(await quitConsole(tui)).toBe(0);
    } finally {
      tui.kill();
    }
  });
});
