/**
 * Workload 9: how soon the console takes its first key. `runbook run runbooks/dragonfly.md`
 * in a real pseudo-terminal, against the sandbox already running (its database seeded by
 * the warm-up round), values given as flags so the first question is about the first cell.
 * Two moments: the first frame (from here a key is kept for the cell on screen) and the
 * runner's first question (a key is acted on at once). Baselines in the same pty, the same
 * minute: `node -e 0` (to exit) and an Ink app that waits for a key (to its first frame).
 */
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { RUNBOOK } from '../lib/cli.js';
import { ROOT } from '../lib/generate.js';
import { ratioRow } from '../lib/report.js';

export const title = 'console first key';
export const rounds = 7;
export const needsDatabase = true;

const FIRST_FRAME = 'Dragonfly Production Incident Runbook';
const ASKED = 'enter run · s skip';
const TIMEOUT_MS = 60_000;

// eslint-disable-next-line no-control-regex -- terminal escapes are control characters
const stripAnsi = (text) => text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-Za-z]/g, '');

/** Spawns in an 80×24 pty; resolves the ms from spawn to each marker (or to exit, for `exit`). */
function timeInPty(pty, args, markers, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const term = pty.spawn(process.execPath, args, { name: 'xterm-256color', cols: 80, rows: 24, cwd: ROOT, env });
    const at = {};
    let text = '';
    const timer = setTimeout(() => {
      term.kill('SIGKILL');
      reject(new Error(`not on screen within ${TIMEOUT_MS} ms: ${markers.filter((m) => !(m in at)).join(', ')}; last text ${JSON.stringify(text.slice(-200))}`));
    }, TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      term.kill('SIGKILL');
      resolve(at);
    };
    term.onData((data) => {
      text = stripAnsi(text + data).slice(-20_000);
      for (const marker of markers) if (marker !== 'exit' && !(marker in at) && text.includes(marker)) at[marker] = performance.now() - started;
      if (markers.every((m) => m === 'exit' || m in at) && !markers.includes('exit')) done();
    });
    term.onExit(({ exitCode }) => {
      if (!markers.includes('exit')) return;
      at.exit = performance.now() - started;
      clearTimeout(timer);
      if (exitCode !== 0) reject(new Error(`exited ${exitCode}`));
      else resolve(at);
    });
  });
}

export async function run({ rounds, sandboxEnv, log }) {
  const { default: pty } = await import('@lydell/node-pty');
  const env = { ...process.env, ...sandboxEnv, TERM: 'xterm-256color' };
  delete env.CI;
  const dir = mkdtempSync(join(tmpdir(), 'runbook-bench-firstkey-'));
  const dragonfly = join(ROOT, 'runbooks', 'dragonfly.md');
  const results = { frame: { ms: [] }, asked: { ms: [] }, node: { ms: [] }, ink: { ms: [] } };
  try {
    for (let round = -1; round < rounds; round++) {
      const transcript = join(dir, `run-${round + 1}.jsonl`);
      const args = [RUNBOOK, 'run', dragonfly, '--transcript', transcript, '--var', 'GOOD_SHA=abc1234', '--var', 'timestamp=20261128193000'];
      try {
        const console = await timeInPty(pty, args, [FIRST_FRAME, ASKED], env);
        const node = await timeInPty(pty, ['-e', '0'], ['exit'], env);
        const ink = await timeInPty(pty, [join(ROOT, 'bench', 'baselines', 'ink-hello.js')], ['hello, press a key'], env);
        if (round < 0) continue; // warm-up: seeds the sandbox's dragonfly database, fills the page cache
        results.frame.ms.push(console[FIRST_FRAME]);
        results.asked.ms.push(console[ASKED]);
        results.node.ms.push(node.exit);
        results.ink.ms.push(ink['hello, press a key']);
      } catch (error) {
        for (const entry of Object.values(results)) entry.failed ??= error.message;
        log(`bench: first key: ${error.message}`);
        break;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const note = 'dragonfly.md against the running sandbox, 80×24 pty; the first question comes after preflight (interpreters, the database connection)';
  return [
    ratioRow({ workload: '9 console: runbook run → first question (a key acts at once)', engine: results.asked, baselineLabel: 'Ink app, first frame', baseline: results.ink, maxRatio: 1.6, note }),
    ratioRow({ workload: '9 console: runbook run → first question', engine: results.asked, baselineLabel: 'node -e 0 in a pty', baseline: results.node }),
    ratioRow({ workload: '9 console: runbook run → first frame (a key is kept from here)', engine: results.frame, baselineLabel: 'Ink app, first frame', baseline: results.ink, maxRatio: 1.3 }),
  ];
}
