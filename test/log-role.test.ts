/**
 * The README's append-only setup, run as written (the SQL block is read from the README):
 * a role that may only INSERT and SELECT runs, pushes, follows and verifies; it cannot
 * UPDATE, DELETE or TRUNCATE a row.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './runner-support.js';
import { appendOnlyRole, freshLogDatabase, GATED, logRows, openGate, transcriptLinesOf, watchCli } from './log-support.js';

describe('the append-only role from the README', () => {
  it('may run, push, follow and verify, and may not UPDATE, DELETE or TRUNCATE', async () => {
    const owner = await freshLogDatabase();
    const init = await runCli(['log', 'init', '--log', owner]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/^log: schema runbook with table runbook\.events is ready in postgres:\/\/postgres:\*{8}@/);

    const responder = await appendOnlyRole(owner);
    const password = new URL(responder).password;

    const dir = tempDir('runbook-log-role-');
    const env = { GATE_ONE: join(dir, 'one'), GATE_TWO: join(dir, 'two') };
    openGate(env.GATE_ONE);
    openGate(env.GATE_TWO);
    const transcript = join(dir, 'gated.jsonl');
    const run = await runCli(['run', GATED, '--yes', '--transcript', transcript, '--log', responder, '--incident', 'INC-role'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('log: every event delivered to incident INC-role');
    expect(run.stderr + run.stdout + readFileSync(transcript, 'utf8')).not.toContain(password);
    const lines = transcriptLinesOf(readFileSync(transcript, 'utf8'));
    expect((await logRows(owner, 'INC-role')).map((r) => r.line)).toEqual(lines);

    const push = await runCli(['log', 'push', transcript, '--log', responder, '--incident', 'INC-role']);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stdout).toContain(`0 of ${lines.length} events added to incident INC-role, ${lines.length} already there`);
    const verify = await runCli(['verify', '--log', responder, '--incident', 'INC-role', transcript]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain(`log INC-role: ok, ${lines.length} events (seq 0-${lines.length - 1}), hash chain intact`);

    const follow = watchCli(['follow', '--log', responder, '--incident', 'INC-role', '--json']);
    await follow.waitFor(/"type":"run\.finished"/);
    follow.child.kill('SIGINT');
    expect((await follow.exited).code).toBe(130);
    expect(transcriptLinesOf(follow.stdout())).toEqual(lines);

    const client = new pg.Client({ connectionString: responder });
    await client.connect();
    try {
      for (const sql of [
        "UPDATE runbook.events SET line = 'rewritten' WHERE incident = 'INC-role'",
        "DELETE FROM runbook.events WHERE incident = 'INC-role'",
        'TRUNCATE runbook.events',
        'DROP TABLE runbook.events',
      ]) {
        await expect(client.query(sql), sql).rejects.toMatchObject({ code: expect.stringMatching(/^42501$/) });
      }
    } finally {
      await client.end();
    }
    expect((await logRows(owner, 'INC-role')).map((r) => r.line)).toEqual(lines);
  });

  it('a tampered row is what verify --log catches (an owner can still change rows)', async () => {
    const owner = await freshLogDatabase();
    const dir = tempDir('runbook-log-tamper-');
    const env = { GATE_ONE: join(dir, 'one'), GATE_TWO: join(dir, 'two') };
    openGate(env.GATE_ONE);
    openGate(env.GATE_TWO);
    const transcript = join(dir, 'gated.jsonl');
    expect((await runCli(['run', GATED, '--yes', '--transcript', transcript, '--log', owner, '--incident', 'INC-t'], { env })).code).toBe(0);
    const admin = new pg.Client({ connectionString: owner });
    await admin.connect();
    try {
      await admin.query(`UPDATE runbook.events SET line = replace(line, 'gate two open', 'gate 2 open') WHERE incident = 'INC-t' AND type = 'cell.output'`);
    } finally {
      await admin.end();
    }
    const verify = await runCli(['verify', '--log', owner, '--incident', 'INC-t', '--transcript', transcript]);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/^runbook: log INC-t: run \S+, seq \d+: hash does not match the chain/m);
    expect(verify.stderr).toMatch(/^runbook: .*gated\.jsonl:\d+: differs from the log's row for run \S+ seq \d+; one of the two was altered$/m);
  });
});
