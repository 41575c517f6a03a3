/**
 * Evidence per row, from the transcript of a real run (the built CLI, real bash and python,
 * a real PostgreSQL): a failure's reason from stderr without the interpreter's frames, a
 * gate's FAIL lines when stderr says nothing more, a success's outcome lines, a small SQL
 * result's first rows, a secret masked, colours removed, every excerpt bounded, and the full
 * output in the appendix (cut, and named where the rest is). The JSON carries the same.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTimeline } from '../src/renderers/timeline/model.js';
import { EXCERPT_LINES, EXCERPT_WIDTH, OUTPUT_ENTRIES, OUTPUT_KEEP } from '../src/renderers/timeline/evidence.js';
import { renderTimelineMarkdown } from '../src/renderers/timeline.js';
import { freshDatabase } from './support/database.js';
import { runCli, tempDir } from './runner-support.js';
import type { RunEvent } from '../src/engine/events.js';

interface Entry { type: string; step: string | null; summary: string; details: Record<string, unknown> }
interface Evidence { from: string; lines: string[] }

const RUNBOOK = `# Evidence

## Steps

\`\`\`sh {name=migrate}
echo "=== migration ==="
echo "psql: error: connection to server at \\"127.0.0.1\\", port 54322 failed: Connection refused" >&2
python3 -c 'import tools.prod_gate'
\`\`\`

\`\`\`sh {name=gate}
printf '  \\033[32mPASS\\033[0m lint\\n  \\033[31mFAIL\\033[0m db      unreachable\\n  \\033[31mFAIL\\033[0m api     /health 503\\n==========\\n  \\033[31m✗ RESULT: GATE FAILED\\033[0m (2 failed)\\n=========\\n'
exit 1
\`\`\`

\`\`\`sh {name=contain}
echo "> Updating service dragonfly-worker"
echo "✓ dragonfly-worker: replicas 2 → 0"
echo "some chatter"
echo "deployed sha=9f3c2e1"
echo
\`\`\`

\`\`\`sh {name=secret}
echo "login with <DEPLOY_TOKEN> refused" >&2
exit 3
\`\`\`

\`\`\`sh {name=flood}
seq 1 40000
echo "the last line $(printf 'x%.0s' $(seq 1 300))"
\`\`\`

\`\`\`sql {name=whoami}
-- Who am I?
SELECT current_user AS who, 42 AS answer;
\`\`\`

\`\`\`sql {name=broken}
SELECT * FROM no_such_table;
\`\`\`
`;

let md: string;
let entries: Entry[];
const rowOf = (step: string) => md.split('\n').find((line) => line.startsWith('| ') && line.includes(`\`${step}\``) && line.includes(' cell, line ')) ?? '';
const evidenceOf = (step: string) => entries.find((e) => e.step === step && e.type === 'cell')?.details.evidence as Evidence | undefined;

beforeAll(async () => {
  const dir = tempDir('runbook-excerpt-');
  const db = await freshDatabase('excerpt');
  writeFileSync(join(dir, 'evidence.md'), RUNBOOK);
  const transcript = join(dir, 'evidence.jsonl');
  const run = await runCli(['run', join(dir, 'evidence.md'), '--yes', '--keep-going', '--allow-writes', '--db', db, '--var', 'DEPLOY_TOKEN=tok-5ecret-77', '--transcript', transcript], { cwd: dir });
  expect(run.code, run.stderr).toBe(1);
  md = (await runCli(['timeline', transcript])).stdout;
  entries = JSON.parse((await runCli(['timeline', transcript, '--format', 'json'])).stdout) as Entry[];
}, 180_000);

describe('evidence per row', () => {
  it('names a failure\'s reason from stderr: the first error line and the last, without traceback frames', () => {
    const evidence = evidenceOf('migrate');
    expect(evidence?.from).toBe('stderr');
    expect(evidence?.lines[0]).toContain('port 54322 failed: Connection refused');
    expect(evidence?.lines.at(-1)).toBe("ModuleNotFoundError: No module named 'tools'");
    expect(evidence?.lines.join('\n')).not.toMatch(/Traceback|File "/);
    expect(rowOf('migrate')).toContain("failed after");
    expect(rowOf('migrate')).toContain("<br>› ModuleNotFoundError: No module named 'tools'");
    // The first failure says why, too.
    expect(md).toMatch(/\*\*FIRST FAILURE\*\* \| failed after [^|]*exit 1 — psql: error: connection to server/);
  });

  it('takes a gate\'s FAIL lines from stdout when stderr is silent, colours and rulers removed', () => {
    expect(evidenceOf('gate')).toEqual({ from: 'stdout', lines: ['FAIL db unreachable', 'FAIL api /health 503', '✗ RESULT: GATE FAILED (2 failed)'] });
    expect(JSON.stringify(entries)).not.toContain('\u001b[');
  });

  it('shows a success\'s outcome lines and its last line', () => {
    expect(evidenceOf('contain')).toEqual({ from: 'stdout', lines: ['✓ dragonfly-worker: replicas 2 → 0', 'deployed sha=9f3c2e1'] });
    expect(rowOf('contain')).toMatch(/succeeded in .*<br>› ✓ dragonfly-worker: replicas 2 → 0<br>› deployed sha=9f3c2e1 \(\[W\d+\]\(#timeline-w\d+\), \[O\d+\]\(#timeline-o\d+\)\) \|$/);
  });

  it('shows the first rows of a small SQL result, and a SQL error once', () => {
    expect(evidenceOf('whoami')).toEqual({ from: 'result', lines: ['Who am I?: who=postgres, answer=42'] });
    const results = entries.find((e) => e.step === 'whoami' && e.type === 'cell')?.details.results;
    expect(results).toEqual([{ index: 1, title: 'Who am I?', command: 'SELECT', columns: ['who', 'answer'], rows: [['postgres', '42']], rowCount: 1, truncated: false }]);
    // The message is the row's result; the excerpt does not say it twice.
    expect(rowOf('broken').match(/relation "no\\_such\\_table" does not exist/g)).toHaveLength(1);
    expect(evidenceOf('broken')).toBeUndefined();
  });

  it('masks a secret the cell printed', () => {
    expect(evidenceOf('secret')?.lines).toEqual(['login with ******** refused']);
    expect(md + JSON.stringify(entries)).not.toContain('tok-5ecret-77');
  });

  it('bounds every excerpt and the kept output, and says where the rest is', () => {
    for (const entry of entries.filter((e) => e.type === 'cell')) {
      const evidence = entry.details.evidence as Evidence | undefined;
      expect(evidence?.lines.length ?? 0).toBeLessThanOrEqual(EXCERPT_LINES);
      for (const line of evidence?.lines ?? []) expect([...line].length).toBeLessThanOrEqual(EXCERPT_WIDTH);
    }
    const flood = entries.find((e) => e.step === 'flood' && e.type === 'cell')?.details.output as { text: string; cut: boolean; sidecars?: string[] };
    expect(flood.cut).toBe(true);
    expect(flood.text.length).toBeLessThanOrEqual(OUTPUT_KEEP);
    expect(evidenceOf('flood')?.lines.at(-1)).toMatch(/^the last line x+…$/);
    const appendix = md.slice(md.indexOf('### Writes, edits and output in full'));
    expect(appendix).toMatch(/\*\*O\d+\*\*: output of `flood` at /);
    expect(appendix).toMatch(/_(Cut here; the full output is in the transcript|The full output is in `)/);
  });
});

describe('evidence from hand-made transcripts', () => {
  const base = { v: 1 as const, run: 'r1' };
  let seq = 0;
  const ev = (body: Record<string, unknown>): RunEvent => ({ ...base, seq: seq++, ts: new Date(Date.UTC(2026, 0, 1, 3, 0, 0, seq)).toISOString(), ...body }) as unknown as RunEvent;
  const started = (cell: string) => ev({ type: 'cell.started', cell, lang: 'powershell', line: 1, section: [], source: 'x', attempt: 1 });

  it('drops PowerShell\'s error view and its exit-code line, keeping the message', () => {
    const events = [
      started('ps'),
      ev({ type: 'cell.output', cell: 'ps', stream: 'stderr', data: '[pgrst_reload] Network failure: [Errno 111] Connection refused\n' }),
      ev({ type: 'cell.output', cell: 'ps', stream: 'stderr', data: 'NativeCommandExitException: /dev/shm/x/3-a.ps1:5\nLine |\n   5 |  python -m tools.pgrst_reload --env prod\n     |  ~~~~~~~~~~~\n     | Program "python" ended with non-zero exit code: 1 (0x01).\n' }),
      ev({ type: 'cell.finished', cell: 'ps', status: 'failed', durationMs: 5, exitCode: 1, error: { message: 'exit code 1', code: '1' } }),
    ];
    const row = buildTimeline(events).rows.find((r) => r.kind === 'cell');
    expect(row?.details.evidence).toEqual({ from: 'stderr', lines: ['[pgrst_reload] Network failure: [Errno 111] Connection refused'] });
  });

  it('keeps the output of at most OUTPUT_ENTRIES attempts in full; every later row keeps its excerpt', () => {
    const events = Array.from({ length: OUTPUT_ENTRIES + 20 }, (_, i) => [
      started(`c${i}`),
      ev({ type: 'cell.output', cell: `c${i}`, stream: 'stdout', data: `✓ done ${i}\n` }),
      ev({ type: 'cell.finished', cell: `c${i}`, status: 'succeeded', durationMs: 1, exitCode: 0 }),
    ]).flat();
    const rows = buildTimeline(events).rows.filter((r) => r.kind === 'cell');
    expect(rows.filter((r) => (r.details.output as { text: string } | undefined)?.text).length).toBe(OUTPUT_ENTRIES);
    expect(rows.at(-1)?.details.evidence).toEqual({ from: 'stdout', lines: [`✓ done ${OUTPUT_ENTRIES + 19}`] });
    const md = renderTimelineMarkdown(events);
    expect(md.match(/\*\*O\d+\*\*: output of/g)).toHaveLength(OUTPUT_ENTRIES);
  });

  it('a line split across output events is one line; a cell that printed nothing has no excerpt', () => {
    const events = [
      started('split'),
      ev({ type: 'cell.output', cell: 'split', stream: 'stderr', data: 'fatal: connec' }),
      ev({ type: 'cell.output', cell: 'split', stream: 'stderr', data: 'tion refused' }),
      ev({ type: 'cell.finished', cell: 'split', status: 'failed', durationMs: 5, exitCode: 1, error: { message: 'exit code 1', code: '1' } }),
      started('quiet'),
      ev({ type: 'cell.finished', cell: 'quiet', status: 'failed', durationMs: 5, exitCode: 1, error: { message: 'exit code 1', code: '1' } }),
    ];
    const rows = buildTimeline(events).rows.filter((r) => r.kind === 'cell');
    expect(rows[0]?.details.evidence).toEqual({ from: 'stderr', lines: ['fatal: connection refused'] });
    expect(rows[1]?.details.evidence).toBeUndefined();
    expect(rows[1]?.details.output).toBeUndefined();
  });
});

describe('the database each step reached', () => {
  it('names the run\'s target per cell, and the database a shell cell moved the later shell cells to (masked); SQL stays on the target', async () => {
    const dir = tempDir('runbook-reached-');
    const db = await freshDatabase('reached');
    writeFileSync(join(dir, 'moves.md'), `# Moves

\`\`\`sh {name=before}
echo "$DATABASE_URL" | cut -c1-10
\`\`\`

\`\`\`sh {name=move}
export DATABASE_URL="postgres://other:pw-0ther-99@127.0.0.1:54322/elsewhere"
\`\`\`

\`\`\`sh {name=after}
echo after
\`\`\`

\`\`\`sql {name=query}
SELECT 1 AS one;
\`\`\`
`);
    const transcript = join(dir, 'moves.jsonl');
    const run = await runCli(['run', join(dir, 'moves.md'), '--yes', '--allow-writes', '--db', db, '--transcript', transcript], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const md = (await runCli(['timeline', transcript])).stdout;
    const json = JSON.parse((await runCli(['timeline', transcript, '--format', 'json'])).stdout) as Entry[];
    const name = (json.find((e) => e.type === 'run.started')?.details.target as { name: string }).name;
    const row = (step: string) => md.split('\n').find((line) => line.includes(`\`${step}\``) && line.includes(' cell, line ')) ?? '';
    expect(row('before')).toContain(`ran sh cell, line 3 on ${name.replace(/_/g, '\\_')} |`);
    expect(row('move')).toContain('set DATABASE\\_URL to postgres://other:\\*\\*\\*\\*\\*\\*\\*\\*@127.0.0.1:54322/elsewhere: the shell cells after it reach that database');
    expect(row('after')).toContain('on DATABASE\\_URL=postgres://other:\\*\\*\\*\\*\\*\\*\\*\\*@127.0.0.1:54322/elsewhere (set by move)');
    expect(row('query')).toContain(`ran sql cell, line 15 on ${name.replace(/_/g, '\\_')} |`);
    const database = (step: string) => json.find((e) => e.step === step && e.type === 'cell')?.details.database;
    expect(database('after')).toEqual({ name: 'DATABASE_URL', url: 'postgres://other:********@127.0.0.1:54322/elsewhere', via: 'changed', by: 'move' });
    expect(database('query')).toMatchObject({ name, via: 'target' });
    expect(md + JSON.stringify(json)).not.toContain('pw-0ther-99');
  }, 120_000);
});
