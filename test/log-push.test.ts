/**
 * `runbook log push` and the run's log settings: what is refused before anything is sent,
 * what a push says, and the log URL's password kept out of every record.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './runner-support.js';
import { freshLogDatabase, GATED, logRows, openGate, transcriptLinesOf, until, watchCli } from './log-support.js';

const gatedEnv = (dir: string) => {
  const env = { GATE_ONE: join(dir, 'one'), GATE_TWO: join(dir, 'two') };
  openGate(env.GATE_ONE);
  openGate(env.GATE_TWO);
  return env;
};

describe('runbook log push', () => {
  it('pushes a run made without --log, then adds nothing; refuses a tampered transcript and sends nothing', async () => {
    const log = await freshLogDatabase();
    const dir = tempDir('runbook-log-push-');
    const transcript = join(dir, 'local.jsonl');
    expect((await runCli(['run', GATED, '--yes', '--transcript', transcript], { env: gatedEnv(dir) })).code).toBe(0);
    const lines = transcriptLinesOf(readFileSync(transcript, 'utf8'));

    const tampered = join(dir, 'tampered.jsonl');
    writeFileSync(tampered, readFileSync(transcript, 'utf8').replace('after line 3', 'after line 9'));
    const refused = await runCli(['log', 'push', transcript, tampered, '--log', log, '--incident', 'INC-9']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^runbook: .*tampered\.jsonl:\d+: hash does not match the chain .*; a transcript that does not verify is not pushed$/m);
    // Every file is checked before the first row is sent: the good one was not pushed either.
    expect(refused.stdout).toBe('');

    const first = await runCli(['log', 'push', transcript, '--log', log, '--incident', 'INC-9']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`: ${lines.length} of ${lines.length} events added to incident INC-9, 0 already there \\(run \\S+\\)\\n$`));
    const second = await runCli(['log', 'push', transcript, '--log', log, '--incident', 'INC-9']);
    expect(second.stdout).toContain(`0 of ${lines.length} events added to incident INC-9, ${lines.length} already there`);
    expect((await logRows(log, 'INC-9')).map((r) => r.line)).toEqual(lines);
    expect(new Set((await logRows(log, 'INC-9')).map((r) => r.actor))).toEqual(new Set([process.env.USER ?? 'root']));

    // The same run pushed under another incident: nothing replaced, said so, exit 1.
    const elsewhere = await runCli(['log', 'push', transcript, '--log', log, '--incident', 'INC-10']);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toMatch(/is in the log under incident INC-9\); the log keeps what it has/);
    expect(await logRows(log, 'INC-10')).toEqual([]);
  });

  it('an unreachable log is one line, exit 2, with the password masked', async () => {
    const dir = tempDir('runbook-log-push-');
    const transcript = join(dir, 'local.jsonl');
    expect((await runCli(['run', GATED, '--yes', '--transcript', transcript], { env: gatedEnv(dir) })).code).toBe(0);
    const result = await runCli(['log', 'push', transcript, '--log', 'postgres://u:hunter2secret@127.0.0.1:1/log', '--incident', 'INC-1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^runbook: cannot reach the log postgres:\/\/u:\*{8}@127\.0\.0\.1:1\/log: .*ECONNREFUSED.*; nothing was pushed\n$/);
    expect(result.stderr).not.toContain('hunter2secret');
  });
});

describe('resume --log', () => {
  it('kill -9 mid-run, then resume --log: delivery starts over from the file (what is there adds nothing) and the log ends equal to it', async () => {
    const log = await freshLogDatabase();
    const dir = tempDir('runbook-log-resume-');
    const gates = { GATE_ONE: join(dir, 'one'), GATE_TWO: join(dir, 'two') };
    const transcript = join(dir, 'killed.jsonl');
    const run = watchCli(['run', GATED, '--yes', '--transcript', transcript, '--log', log, '--incident', 'INC-kill'], { env: gates });
    await until(async () => (await logRows(log, 'INC-kill').catch(() => [])).some((r) => r.type === 'cell.started' && r.line.includes('"cell":"gate-one"')), 'gate-one reached the log');
    run.child.kill('SIGKILL');
    await run.exited;
    openGate(gates.GATE_ONE);
    openGate(gates.GATE_TWO);
    const resumed = await runCli(['resume', transcript, '--yes', '--log', log, '--incident', 'INC-kill'], { env: gates });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('log: every event delivered to incident INC-kill');
    const lines = transcriptLinesOf(readFileSync(transcript, 'utf8'));
    expect(lines.some((l) => l.includes('"type":"run.resumed"'))).toBe(true);
    expect((await logRows(log, 'INC-kill')).map((r) => r.line)).toEqual(lines);
    const verify = await runCli(['verify', '--log', log, '--incident', 'INC-kill', '--transcript', transcript]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain(`the log has all ${lines.length} events`);
  });
});

describe('run --log settings', () => {
  it('--incident without a log, a log without an incident, a frontmatter log: URL: refused before anything runs', async () => {
    const dir = tempDir('runbook-log-flags-');
    const transcript = join(dir, 't.jsonl');
    const env = gatedEnv(dir);
    const noLog = await runCli(['run', GATED, '--yes', '--transcript', transcript, '--incident', 'INC-1'], { env: { ...env, RUNBOOK_LOG_URL: '' } });
    expect(noLog.code).toBe(2);
    expect(noLog.stderr).toBe('runbook: --incident needs a log to write to; add --log URL (or set RUNBOOK_LOG_URL)\n');
    const noIncident = await runCli(['run', GATED, '--yes', '--transcript', transcript], { env: { ...env, RUNBOOK_LOG_URL: 'postgres://u:pw@127.0.0.1:1/x', RUNBOOK_INCIDENT: '' } });
    expect(noIncident.code).toBe(2);
    expect(noIncident.stderr).toMatch(/^runbook: RUNBOOK_LOG_URL names a log but no incident; add --incident ID/);

    const literal = join(dir, 'literal.md');
    writeFileSync(literal, '---\nlog: postgres://u:pw@db/log\n---\n# L\n\n```sh\necho hi\n```\n');
    const refused = await runCli(['run', literal, '--yes', '--transcript', transcript], { env: { RUNBOOK_LOG_URL: '' } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/frontmatter log: must name an environment variable, e\.g\. log: \$INCIDENT_LOG_URL/);
    // Nothing ran: no transcript was started.
    expect(() => readFileSync(transcript)).toThrow();
  });

  it('frontmatter log: $VAR names the log; its password never reaches the transcript, the screen or the log', async () => {
    const log = await freshLogDatabase();
    const password = new URL(log).password;
    const dir = tempDir('runbook-log-fm-');
    const runbook = join(dir, 'leaky.md');
    // The cell prints the URL, the bare password, and a quoted/unicode line for good measure.
    writeFileSync(
      runbook,
      '---\nlog: $INCIDENT_LOG_URL\n---\n# Leaky\n\n## Print\n\n```sh {name=leak}\necho "url=$INCIDENT_LOG_URL"\necho "pw=${INCIDENT_LOG_URL#*://*:}" | cut -d@ -f1\necho \'it\'\\\'\'s $(not run) — ✓\'\n```\n',
    );
    const transcript = join(dir, 'leaky.jsonl');
    const result = await runCli(['run', runbook, '--yes', '--transcript', transcript, '--incident', 'INC-fm'], { env: { INCIDENT_LOG_URL: log, RUNBOOK_LOG_URL: '' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('log: every event delivered to incident INC-fm');
    const text = readFileSync(transcript, 'utf8');
    expect(text).toContain('pw=********');
    expect(text).toContain("it's $(not run) — ✓");
    const rows = await logRows(log, 'INC-fm');
    expect(rows.map((r) => r.line)).toEqual(transcriptLinesOf(text));
    for (const place of [text, result.stdout, result.stderr, JSON.stringify(rows)]) expect(place).not.toContain(password);
  });
});
