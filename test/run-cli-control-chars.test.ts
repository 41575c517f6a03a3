/**
 * Terminal escapes in a command's output, a SQL result column or a value reach no terminal
 * raw: OSC 52 (clipboard write), ESC[2J (clear screen) and OSC 8 (hidden link) are shown as
 * `\x1B…` in `run` (plain), `replay` (plain and the console, in a real pseudo-terminal);
 * the transcript keeps the bytes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from './support/database.js';
import { parseLines, runCli, tempDir } from './runner-support.js';
import { spawnCli } from './support/pty.js';

const CLIPBOARD = '\u001b]52;c;cm0gLXJmIH4=\u0007';
const CLEAR = '\u001b[2J';
const LINK = '\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007';

let transcript: string;
let run: Awaited<ReturnType<typeof runCli>>;

beforeAll(async () => {
  const dir = tempDir('runbook-escapes-');
  const db = await freshDatabase('escapes');
  writeFileSync(join(dir, 'esc.md'), [
    '# Escapes', '', '## Shell', '', '```sh {name=out readonly}', `printf 'A\\033]52;c;cm0gLXJmIH4=\\007B\\033[2JC\\n'`, 'echo "value: <NOTE>"', '```', '',
    '## Sql', '', '```sql {name=col}', "SELECT E'\\x1b]8;;https://evil.example\\x07click\\x1b]8;;\\x07' AS link;", '```', '',
  ].join('\n'));
  transcript = join(dir, 'esc.jsonl');
  run = await runCli(['run', 'esc.md', '--yes', '--db', db, '--var', `NOTE=x${CLEAR}y`, '--transcript', transcript], { cwd: dir });
}, 120_000);

describe('control characters are shown, not obeyed', () => {
  it('run (plain): output, values and result columns show \\x1B; no raw escape reaches stdout', () => {
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('A\\x1B]52;c;cm0gLXJmIH4=\\x07B\\x1B[2JC');
    expect(run.stdout).toContain('value: x\\x1B[2Jy');
    expect(run.stdout).toContain('\\x1B]8;;https://evil.example\\x07click\\x1B]8;;\\x07');
    expect(run.stdout).not.toContain('\u001b]');
    expect(run.stdout).not.toContain(CLEAR);
  });

  it('the transcript keeps the raw bytes', () => {
    const events = parseLines(readFileSync(transcript, 'utf8'));
    const output = events.filter((e) => e.type === 'cell.output').map((e) => (e as { data: string }).data).join('');
    expect(output).toContain(`A${CLIPBOARD}B${CLEAR}C`);
    const result = events.find((e) => e.type === 'sql.result') as { rows: unknown[][] };
    expect(result.rows[0]![0]).toBe(LINK);
  });

  it('replay (plain) shows them the same way', async () => {
    const replay = await runCli(['replay', transcript, '--speed', '0']);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain('A\\x1B]52;c;cm0gLXJmIH4=\\x07B\\x1B[2JC');
    expect(replay.stdout).not.toContain('\u001b]');
  });

  it('replay in the console (a real terminal): shown as text, no OSC 52 or OSC 8 written', async () => {
    const tui = spawnCli(['replay', transcript, '--speed', '0'], { cols: 120, rows: 40 });
    try {
      await tui.waitFor('cm0gLXJmIH4=', { history: true, timeoutMs: 60_000 });
      expect(await tui.exited).toBe(0);
      expect(tui.screen.all()).toContain('\\x1B]52;c;cm0gLXJmIH4=\\x07B');
      expect(tui.raw()).not.toContain('\u001b]52');
      expect(tui.raw()).not.toContain('\u001b]8;;https://evil');
    } finally {
      tui.kill();
    }
  }, 90_000);
});
