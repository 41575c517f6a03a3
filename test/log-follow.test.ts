/**
 * `runbook follow`: two responders run at once into one incident; the incident commander
 * sees both live, each run in seq order, the lines exactly as in the responders' files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './runner-support.js';
import { freshLogDatabase, GATED, openGate, transcriptLinesOf, watchCli } from './log-support.js';

const responder = (actor: string, log: string, incident: string) => {
  const dir = tempDir(`runbook-follow-${actor}-`);
  const gates = { GATE_ONE: join(dir, 'gate-one'), GATE_TWO: join(dir, 'gate-two') };
  const transcript = join(dir, `${actor}.jsonl`);
  const run = watchCli(['run', GATED, '--yes', '--actor', actor, '--transcript', transcript, '--log', log, '--incident', incident], { env: gates });
  return { run, gates, transcript };
};

describe('runbook follow', () => {
  it('shows two concurrent runs of one incident live, each in seq order, line for line as their transcripts', async () => {
    const log = await freshLogDatabase();
    const incident = 'INC-2041';
    const live = watchCli(['follow', '--log', log, '--incident', incident, '--json']);
    await live.waitFor(/^follow: incident INC-2041 at postgres:\/\/\S+:\*{8}@/m, 'stderr');
    const alice = responder('alice', log, incident);
    const bob = responder('bob', log, incident);
    // Both runs wait at their first gate: what follow shows now, it showed live.
    await live.waitFor(/"type":"cell\.started","run":"[^"]+","cell":"gate-one"[\s\S]*"type":"cell\.started","run":"[^"]+","cell":"gate-one"/);
    expect(live.stdout()).not.toContain('"type":"run.finished"');
    for (const r of [alice, bob]) {
      openGate(r.gates.GATE_ONE);
      openGate(r.gates.GATE_TWO);
    }
    expect((await alice.run.exited).code, alice.run.stderr()).toBe(0);
    expect((await bob.run.exited).code, bob.run.stderr()).toBe(0);
    for (const r of [alice, bob]) expect(r.run.stderr()).toContain(`log: every event delivered to incident ${incident}`);
    await live.waitFor(/"type":"run\.finished"[\s\S]*"type":"run\.finished"/);
    live.child.kill('SIGINT');
    expect((await live.exited).code).toBe(130);

    const shown = transcriptLinesOf(live.stdout());
    for (const r of [alice, bob]) {
      const lines = transcriptLinesOf(readFileSync(r.transcript, 'utf8'));
      const run = (JSON.parse(lines[0] as string) as { run: string }).run;
      expect(shown.filter((line) => line.includes(`"run":"${run}"`))).toEqual(lines);
    }
    expect(shown).toHaveLength(transcriptLinesOf(readFileSync(alice.transcript, 'utf8')).length + transcriptLinesOf(readFileSync(bob.transcript, 'utf8')).length);

    // The incident's timeline from the log is the merge of the two files, row for row.
    const runOf = (path: string) => (JSON.parse(transcriptLinesOf(readFileSync(path, 'utf8'))[0] as string) as { run: string }).run;
    for (const format of ['json', 'md']) {
      const fromFiles = await runCli(['timeline', alice.transcript, bob.transcript, '--format', format]);
      const fromLog = await runCli(['timeline', '--log', log, '--incident', incident, '--format', format]);
      expect(fromFiles.code, fromFiles.stderr).toBe(0);
      expect(fromLog.code, fromLog.stderr).toBe(0);
      // Where each run's record is: a file path here, the log there; everything else is the same.
      let files = fromFiles.stdout;
      let fromLogText = fromLog.stdout;
      for (const r of [alice, bob]) {
        files = files.replaceAll(`\`${r.transcript}\``, `\`record of ${runOf(r.transcript)}\``);
        fromLogText = fromLogText.replaceAll(`\`log ${incident}, run ${runOf(r.transcript)}\``, `\`record of ${runOf(r.transcript)}\``);
      }
      expect(fromLogText).toBe(files);
      if (format === 'md') expect(files).toMatch(/\| alice \|[\s\S]*\| bob \||\| bob \|[\s\S]*\| alice \|/);
    }

    // Started afterwards, a follower catches up on everything; plain text names actor and run on every line.
    const later = watchCli(['follow', '--log', log, '--incident', incident]);
    await later.waitFor(/Run succeeded[\s\S]*Run succeeded/);
    later.child.kill('SIGINT');
    expect((await later.exited).code).toBe(130);
    const plain = later.stdout().trimEnd().split('\n');
    expect(plain.every((line) => /^\[(alice|bob) [0-9a-f]{6}\]( |$)/.test(line)), later.stdout()).toBe(true);
    expect(plain.filter((line) => line.includes('▶ [gate-one]'))).toHaveLength(2);
    expect(later.stdout()).toContain('ünïcödé');
  });

  it('the timeline from the log is the timeline from the file (one run)', async () => {
    const log = await freshLogDatabase();
    const r = responder('carol', log, 'INC-7');
    openGate(r.gates.GATE_ONE);
    openGate(r.gates.GATE_TWO);
    expect((await r.run.exited).code, r.run.stderr()).toBe(0);
    expect(r.run.stderr()).toContain('log: every event delivered to incident INC-7');
    for (const format of ['json', 'md']) {
      const fromFile = await runCli(['timeline', r.transcript, '--format', format]);
      const fromLog = await runCli(['timeline', '--log', log, '--incident', 'INC-7', '--format', format]);
      expect(fromLog.code, fromLog.stderr).toBe(0);
      // Only the header's "Transcript:" line says where the events came from.
      const where = (text: string) => text.replace(/^- \*\*Transcript:\*\* `[^`]*`/m, '- **Transcript:** …');
      expect(where(fromLog.stdout)).toBe(where(fromFile.stdout));
      expect(fromLog.stdout.length).toBeGreaterThan(200);
    }
  });

  it('refuses bad input in one line, exit 2', async () => {
    const noIncident = await runCli(['follow', '--log', 'postgres://u:pw@127.0.0.1:1/x']);
    expect(noIncident.code).toBe(2);
    expect(noIncident.stderr).toBe("runbook: --log names a log but no incident; add --incident ID (or set RUNBOOK_INCIDENT), e.g. --incident INC-1234\n");
    const badIncident = await runCli(['follow', '--log', 'postgres://u:pw@127.0.0.1:1/x', '--incident', "x'; DROP TABLE runbook.events; --"]);
    expect(badIncident.code).toBe(2);
    expect(badIncident.stderr).toMatch(/^runbook: --incident .* is not an incident id; use 1-128 letters/);
    const notPostgres = await runCli(['follow', '--log', 'mysql://u:secretpw@h/x', '--incident', 'I-1']);
    expect(notPostgres.code).toBe(2);
    expect(notPostgres.stderr).toBe("runbook: --log: 'mysql://u:********@h/x' is a mysql URL, not PostgreSQL; expected postgres://user:password@host:5432/database\n");
  });
});
