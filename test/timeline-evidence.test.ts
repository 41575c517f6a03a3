/**
 * What a postmortem needs from the timeline, read from the transcripts of real runs
 * (the built CLI or the runner, real bash, a real PostgreSQL): the values each cell
 * used, writes in full, edits as diffs (checked with the real `patch`), choices folded
 * into the rows they led to, skips per reason, budget and escalation markers, the
 * checklist's final state, and several runs merged into one timeline.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRunbook } from '../src/engine/parse.js';
import { Runner } from '../src/engine/runner.js';
import { readTranscript, TranscriptWriter } from '../src/engine/transcript.js';
import { renderTimelineMarkdown } from '../src/renderers/timeline.js';
import { unifiedDiff } from '../src/renderers/timeline/diff.js';
import { buildMergedTimeline } from '../src/renderers/timeline/merge.js';
import { freshDatabase } from './support/database.js';
import { noTarget, parseLines, runCli, scriptedOperator, tempDir } from './runner-support.js';
import type { Decision, DecisionContext } from '../src/engine/operator.js';

interface Entry { type: string; step: string | null; run: string | null; author: string; summary: string; details: Record<string, unknown> }

const NO_PWSH = { ...process.env, PATH: '/usr/bin:/bin' };

const JOBS = `---
title: Jobs
variables:
  JOB_TYPE:
    description: which jobs to release
  DEPLOY_TOKEN:
    description: a secret
---

# Jobs

## Prepare

\`\`\`sql {name=prepare}
CREATE TABLE jobs (id int, type text, status text);
INSERT INTO jobs VALUES (1, 'send_notice', 'stuck'), (2, 'send_notice', 'stuck'), (3, 'billing', 'stuck');
\`\`\`

## Release

\`\`\`sql {name=release}
-- Release the stuck jobs of one type
UPDATE jobs SET status = 'pending' WHERE type = <JOB_TYPE> AND status = 'stuck';
\`\`\`

\`\`\`sh {name=notify}
echo "notify <JOB_TYPE> with <DEPLOY_TOKEN>" | wc -c
\`\`\`

## Postmortem Checklist

- [ ] Root cause identified
- [ ] Timeline documented
`;

let dir: string;
let db: string;

beforeAll(async () => {
  dir = tempDir('runbook-evidence-');
  db = await freshDatabase('evidence');
  writeFileSync(join(dir, 'jobs.md'), JOBS);
});

const rowsOf = (md: string) => md.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Time'));

describe('the timeline of a real run against PRODUCTION', () => {
  let transcript: string;
  let md: string;
  let entries: Entry[];

  beforeAll(async () => {
    transcript = join(dir, 'jobs.jsonl');
    const run = await runCli(
      ['run', join(dir, 'jobs.md'), '--yes', '--allow-writes', '--actor', 'oncall-alice', '--db', db, '--var', 'JOB_TYPE=send_notice', '--var', 'DEPLOY_TOKEN=tok-9f8e7d', '--transcript', transcript],
    );
    expect(run.code, run.stderr).toBe(0);
    md = (await runCli(['timeline', transcript])).stdout;
    entries = JSON.parse((await runCli(['timeline', transcript, '--format', 'json'])).stdout) as Entry[];
  }, 120_000);

  it('names the values each cell used, a secret only masked', () => {
    const release = rowsOf(md).find((row) => row.includes('`release`') && row.includes('ran sql'));
    expect(release).toMatch(/ran sql cell, line \d+ on \S+ with JOB\\_TYPE=send\\_notice/);
    expect(release).toContain('UPDATE 2 rows affected');
    const notify = rowsOf(md).find((row) => row.includes('`notify`') && row.includes('ran sh'));
    expect(notify).toContain('with JOB\\_TYPE=send\\_notice, DEPLOY\\_TOKEN=\\*\\*\\*\\*\\*\\*\\*\\*');
    expect(md + JSON.stringify(entries)).not.toContain('tok-9f8e7d');
    expect(entries.find((e) => e.step === 'release' && e.type === 'cell')?.details.values).toEqual({ JOB_TYPE: 'send_notice' });
  });

  it('gives every write its full statement text in an appendix the row links to', () => {
    const release = rowsOf(md).find((row) => row.includes('`release`') && row.includes('ran sql'));
    expect(release).toMatch(/\(\[W2\]\(#timeline-w2\)\) \|$/);
    const appendix = md.slice(md.indexOf('### Writes, edits and output in full'));
    expect(appendix).toContain('<a id="timeline-w2"></a>**W2**: write in `release` at ');
    // As it ran: the value bound as a literal, never pasted as code.
    expect(appendix).toContain("```sql\n-- Release the stuck jobs of one type\nUPDATE jobs SET status = 'pending' WHERE type = 'send_notice' AND status = 'stuck';\n```");
    expect(entries.find((e) => e.step === 'release' && e.type === 'cell')?.details).toMatchObject({ effect: 'write', written: expect.stringContaining("WHERE type = 'send_notice'") });
  });

  it('records the authorisation as the flag, the checklist as the runbook has it, and Timeline documented ticked', () => {
    expect(md).toMatch(/\| oncall-alice \| `release` \| write allowed by flag \| --allow-writes on the command line; nobody typed a confirmation \|/);
    expect(md).toContain('- [ ] Root cause identified\n- [x] Timeline documented: this timeline\n');
  });
});

describe('choices, skips and ticks from a real console-like run', () => {
  const RUNBOOK = `# Folding

## Steps

\`\`\`sh {name=a}
echo a
\`\`\`

\`\`\`powershell {name=ps-1}
Write-Output 1
\`\`\`

\`\`\`sh {name=b skip}
echo b
\`\`\`

\`\`\`sh {name=c}
if [ -e "$MARK" ]; then echo again; else touch "$MARK"; echo sleeping; sleep 30; fi
\`\`\`

\`\`\`pwsh {name=ps-2}
Write-Output 2
\`\`\`

\`\`\`sh {name=d}
echo d
\`\`\`

## Postmortem Checklist

- [ ] Root cause identified
`;

  it('folds jumps, retries and cancels into the rows they led to; one row per skip reason; final checklist state, no tick rows', async () => {
    const runbook = parseRunbook(RUNBOOK, 'folding.md');
    const path = join(tempDir(), 'fold.jsonl');
    const transcript = TranscriptWriter.open(path);
    const decide = (context: DecisionContext): Decision => {
      if (context.cell.id === 'a' && context.attempts === 0) return { action: 'jump', to: 'c' };
      if (context.attempts === 0) return { action: 'run' };
      if (context.lastStatus === 'cancelled') return { action: 'retry' };
      return { action: 'next' };
    };
    const runner = new Runner({ runbook, operator: scriptedOperator(decide), target: noTarget, mode: 'interactive', variables: [], actor: 'tester', argv: [], transcript, env: { ...NO_PWSH, MARK: join(tempDir(), 'mark') } });
    runner.subscribe((event) => {
      if (event.type === 'cell.output' && event.cell === 'c' && event.data.includes('sleeping')) {
        setTimeout(() => {
          runner.cancelCurrent();
          const item = runbook.checklist[0]!;
          runner.tick(item, true);
          runner.tick(item, false);
          runner.tick(item, true);
        }, 300);
      }
    });
    await runner.run();
    transcript.close();
    const { events } = await readTranscript(path);
    const md = renderTimelineMarkdown(events, { checklist: { items: runbook.checklist.map(({ text, checked }) => ({ text, checked })) } });
    const rows = rowsOf(md);
    const actions = rows.map((row) => row.split(/(?<!\\)\|/)[5]?.trim());
    expect(actions).not.toContain('jumped');
    expect(actions.filter((a) => a?.startsWith('chose') || a === 'ticked' || a === 'unticked')).toEqual([]);
    expect(rows.find((row) => row.includes('`c`') && row.includes('ran sh'))).toMatch(/ran sh cell, line \d+ \(jumped here from a by tester; cancelled by tester at \d\d:\d\d:\d\d\) \| cancelled after/);
    expect(rows.find((row) => row.includes('retried (attempt 2)'))).toMatch(/\| tester \| `c` \| retried \(attempt 2\) sh cell, line \d+ \(retried by tester\) \| succeeded/);
    // ps-1 and b were jumped over: the operator's choice, no row; ps-2 has no pwsh, one row per reason.
    expect(rows.filter((row) => row.includes('| skipped'))).toEqual([expect.stringMatching(/\| skipped 1 cell \| pwsh not found: ps-2 \|$/)]);
    expect(md).toMatch(/- \[x\] Root cause identified \(ticked by tester at \d\d:\d\d:\d\d UTC\)\n/);
    expect(md).not.toContain('Timeline documented');
  }, 60_000);

  it('groups automatic skips of many cells by reason (a runbook skip and missing pwsh)', async () => {
    const file = join(dir, 'skips.md');
    writeFileSync(file, RUNBOOK.replace('sleep 30', 'true'));
    const transcript = join(dir, 'skips.jsonl');
    await runCli(['run', file, '--yes', '--transcript', transcript], { env: { PATH: '/usr/bin:/bin', MARK: join(dir, 'skips.mark') } });
    const md = (await runCli(['timeline', transcript])).stdout;
    const skips = rowsOf(md).filter((row) => row.includes('| skipped'));
    expect(skips).toEqual([
      expect.stringMatching(/\| skipped 2 cells \| pwsh not found: ps-1, ps-2 \|$/),
      expect.stringMatching(/\| skipped 1 cell \| skip attribute: b \|$/),
    ]);
    const json = JSON.parse((await runCli(['timeline', transcript, '--format', 'json'])).stdout) as Entry[];
    expect(json.filter((e) => e.type === 'skips').map((e) => e.summary)).toEqual(['skipped 2 cells: pwsh not found: ps-1, ps-2', 'skipped 1 cell: skip attribute: b']);
    expect(JSON.stringify(json)).not.toContain('skipped: skipped');
    expect(md).toContain('- **Outcome:** incomplete: 3 succeeded, 3 skipped (2 of 6 cells did not run: pwsh not found (2))');
    expect(md).toMatch(/\| \*\*RUN ENDED\*\* \| incomplete: 3 succeeded, 3 skipped \(2 of 6 cells did not run: pwsh not found \(2\)\) \|/);
  }, 60_000);
});

/** The text after the real `patch -u` applies the diff: an oracle that is not jsdiff. */
function patched(before: string, diff: string): string {
  const work = tempDir('runbook-diff-');
  writeFileSync(join(work, 'cell'), before);
  writeFileSync(join(work, 'cell.diff'), diff);
  execFileSync('patch', ['-s', '-u', join(work, 'cell'), join(work, 'cell.diff')], { cwd: work });
  return readFileSync(join(work, 'cell'), 'utf8');
}

describe('edits as unified diffs', () => {
  it('shows an edit made during a real run as a diff that the real patch applies', async () => {
    const runbook = parseRunbook('# E\n\n## S\n\n```sh {name=count}\necho one\necho two\necho three\n```\n', 'e.md');
    const edited = 'echo one\necho TWO\necho three\necho four\n';
    const path = join(tempDir(), 'edit.jsonl');
    const transcript = TranscriptWriter.open(path);
    const decide = (context: DecisionContext): Decision => (context.attempts === 0 && context.source !== edited ? { action: 'edit', source: edited } : context.attempts === 0 ? { action: 'run' } : { action: 'next' });
    await new Runner({ runbook, operator: scriptedOperator(decide), target: noTarget, mode: 'interactive', variables: [], actor: 'tester', argv: [], transcript }).run();
    transcript.close();
    const events = parseLines(readFileSync(path, 'utf8'));
    expect(events.find((e) => e.type === 'operator.decision' && e.action === 'edit')).toMatchObject({ previous: 'echo one\necho two\necho three', source: edited });
    const md = renderTimelineMarkdown(events);
    expect(md).toMatch(/\| tester \| `count` \| edited the cell \| \+2 −1 lines \(\[E1\]\(#timeline-e1\)\) \|/);
    expect(md).toContain('```diff\n--- count (before)\n+++ count (after)\n@@ -1,3 +1,4 @@\n echo one\n-echo two\n+echo TWO\n echo three\n+echo four\n```');
  });

  it('agrees with the real patch on random edits', () => {
    const work = tempDir('runbook-diff-');
    const line = fc.constantFrom('SELECT 1;', 'UPDATE jobs;', '', '  -- note', 'echo "$X"', '+x', '-y', '@@ x @@');
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.array(line, { maxLength: 12 }), (before, after) => {
        const a = before.map((l) => `${l}\n`).join('');
        const b = after.map((l) => `${l}\n`).join('');
        const diff = unifiedDiff(a, b, 'cell');
        if (a === b) return diff.text === '';
        writeFileSync(join(work, 'cell'), a);
        writeFileSync(join(work, 'cell.diff'), diff.text);
        execFileSync('patch', ['-s', '-u', join(work, 'cell'), join(work, 'cell.diff')], { cwd: work });
        return readFileSync(join(work, 'cell'), 'utf8') === b;
      }),
      { numRuns: 60 },
    );
  });
  it('shows a one-line edit of a 2,500-line cell as +1 −1, in one hunk the real patch applies', () => {
    const before = Array.from({ length: 2_500 }, (_, i) => `SELECT ${i};`).join('\n');
    const after = before.replace('SELECT 1200;', 'SELECT 1200 + 1;');
    const diff = unifiedDiff(before, after, 'big');
    expect([diff.added, diff.removed]).toEqual([1, 1]);
    expect(diff.text).toBe('--- big (before)\n+++ big (after)\n@@ -1198,7 +1198,7 @@\n SELECT 1197;\n SELECT 1198;\n SELECT 1199;\n-SELECT 1200;\n+SELECT 1200 + 1;\n SELECT 1201;\n SELECT 1202;\n SELECT 1203;\n');
    expect(patched(`${before}\n`, diff.text)).toBe(`${after}\n`);
  });

  it('shows a rewrite too large to diff line by line as all removed, all added, still a patch that applies', () => {
    const before = Array.from({ length: 1_500 }, (_, i) => `echo old ${i}`).join('\n');
    const after = Array.from({ length: 1_200 }, (_, i) => `echo new ${i}`).join('\n');
    const diff = unifiedDiff(before, after, 'rewrite');
    expect([diff.added, diff.removed]).toEqual([1_200, 1_500]);
    expect(diff.text.split('\n')[2]).toBe('@@ -1,1500 +1,1200 @@');
    expect(patched(`${before}\n`, diff.text)).toBe(`${after}\n`);
    expect(unifiedDiff('', 'echo x', 'new').text).toBe('--- new (before)\n+++ new (after)\n@@ -0,0 +1,1 @@\n+echo x\n');
  });
});

describe('budget and escalation markers from a real run', () => {
  it('marks where a section ran past its budget and where the escalation time was reached', async () => {
    const file = join(dir, 'slow.md');
    writeFileSync(file, '# Slow\n\nIf unresolved in 2 s, page the on-call lead.\n\n## Contain (< 1 s)\n\n```sh {name=contain}\nsleep 1.3\n```\n\n## Verify\n\n```sh {name=verify}\nsleep 1\n```\n');
    const transcript = join(dir, 'slow.jsonl');
    expect((await runCli(['run', file, '--yes', '--transcript', transcript])).code).toBe(0);
    const md = (await runCli(['timeline', transcript])).stdout;
    const rows = rowsOf(md);
    const contain = rows.findIndex((row) => row.includes('`contain`'));
    const overrun = rows.findIndex((row) => row.includes('**BUDGET OVERRUN**'));
    const escalation = rows.findIndex((row) => row.includes('**ESCALATION TIME**'));
    expect(rows[overrun]).toMatch(/\| \*\*BUDGET OVERRUN\*\* \| "Contain \(&lt; 1 s\)": its 1.0 s budget ran out here; the section took \d+\.\d s \|/);
    expect(rows[escalation]).toContain('| **ESCALATION TIME** | 2.0 s since RUN STARTED: If unresolved in 2 s, page the on-call lead. |');
    expect(contain).toBeLessThan(overrun);
    expect(overrun).toBeLessThan(escalation);
    expect(escalation).toBeLessThan(rows.findIndex((row) => row.includes('**RUN ENDED**')));
  }, 60_000);
});

describe('runbook timeline a.jsonl b.jsonl: one incident, several responders', () => {
  it('merges runs by time with Run and Actor columns, lists every run in the header, and checks each chain', async () => {
    const file = join(dir, 'two.md');
    writeFileSync(file, '# Two\n\n## Look\n\n```sh {name=look}\nsleep 0.3; echo look\n```\n\n```sh {name=fix}\necho fix\n```\n');
    const a = join(dir, 'alice.jsonl');
    const b = join(dir, 'bob.jsonl');
    const alice = runCli(['run', file, '--yes', '--actor', 'alice', '--transcript', a]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const bob = runCli(['run', file, '--yes', '--actor', 'bob', '--transcript', b]);
    await Promise.all([alice, bob]);
    // R1 is whichever run started first (both processes start at nearly the same moment).
    const starts = [a, b].map((path) => parseLines(readFileSync(path, 'utf8'))[0]!);
    const ordered = [...starts].sort((x, y) => Date.parse(x.ts) - Date.parse(y.ts));
    const runs = starts.map((e) => e.run);
    const actorOf = (e: (typeof starts)[number]) => (e.type === 'run.started' ? e.actor : '?');

    const result = await runCli(['timeline', b, a]);
    expect(result.code, result.stderr).toBe(0);
    const md = result.stdout;
    expect(md).toMatch(/- \*\*Runs:\*\* 2, by (alice, bob|bob, alice)\n/);
    ordered.forEach((start, i) => {
      const file = actorOf(start) === 'alice' ? 'alice' : 'bob';
      expect(md).toMatch(new RegExp(`- \\*\\*R${i + 1}\\*\\* \`${start.run}\` by ${actorOf(start)}, unattended against no database, .*: succeeded: 2 succeeded; \`.*${file}\\.jsonl\`: hash chain verified, \\d+ events`));
    });
    expect(md).toContain('| Time (UTC) | +elapsed | Run | Actor | Step | Action | Result |');
    const rows = rowsOf(md);
    const times = rows.map((row) => row.split('|')[1]?.trim() ?? '');
    expect(times).toEqual([...times].sort());
    expect(rows.filter((row) => row.includes('**RUN STARTED**')).map((row) => row.split('|').slice(3, 5).map((c) => c.trim()))).toEqual(ordered.map((s, i) => [`R${i + 1}`, actorOf(s)]));
    // Both responders' cells, each under its own run label.
    expect(rows.filter((row) => row.includes('ran sh cell')).map((row) => row.split('|').slice(3, 6).map((c) => c.trim()).join(' ')).sort()).toEqual(
      ordered.flatMap((s, i) => [`R${i + 1} ${actorOf(s)} \`fix\``, `R${i + 1} ${actorOf(s)} \`look\``]).sort(),
    );

    const json = JSON.parse((await runCli(['timeline', a, b, '--format', 'json'])).stdout) as Entry[];
    // Every row names its run; the clock and the checklist are the incident's, not one run's.
    expect(new Set(json.filter((e) => !['clock', 'checklist'].includes(e.type)).map((e) => e.run))).toEqual(new Set(runs));
    expect(json.filter((e) => e.type === 'cell').map((e) => `${e.author}:${e.step}`).sort()).toEqual(['alice:fix', 'alice:look', 'bob:fix', 'bob:look']);

    // The merged model is a library function too (the shared log reuses it).
    const merged = buildMergedTimeline(await Promise.all([a, b].map(async (path) => (await readTranscript(path)).events)));
    expect(merged.runs.map((m) => m.run)).toEqual(ordered.map((e) => e.run));
    expect(merged.rows.map((r) => r.run)).toContain(runs[1]);
  }, 60_000);

  it('says which run\'s chain is broken, and refuses the same run twice or --format cast', async () => {
    const file = join(dir, 'two.md');
    const a = join(dir, 'c1.jsonl');
    const b = join(dir, 'c2.jsonl');
    await runCli(['run', file, '--yes', '--actor', 'carol', '--transcript', a]);
    await runCli(['run', file, '--yes', '--actor', 'dave', '--transcript', b]);
    writeFileSync(b, readFileSync(b, 'utf8').replace('"echo fix', '"echo FIX'));
    const result = await runCli(['timeline', a, b]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/- \*\*R2\*\* .* by dave.*\*\*hash chain broken at line \d+\*\*/);
    expect(result.stdout).toMatch(/- \*\*R1\*\* .* by carol.*: hash chain verified/);
    expect(result.stderr).toMatch(/c2\.jsonl:\d+: warning: hash does not match/);

    const twice = await runCli(['timeline', a, a]);
    expect(twice.code).toBe(2);
    expect(twice.stderr.trim().split('\n')).toEqual([expect.stringMatching(/holds run .* again/)]);
    const cast = await runCli(['timeline', a, b, '--format', 'cast']);
    expect(cast.code).toBe(2);
  }, 60_000);
});
