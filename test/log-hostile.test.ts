/**
 * A shared log that one writer tries to blind: a responder's role (SELECT and INSERT only,
 * the README's setup) forges an id with OVERRIDING SYSTEM VALUE, holds a transaction or
 * the old advisory lock open; a run's rows are changed after the fact; a row of tens of MB
 * sits in the log. Through the CLI, against the real PostgreSQL: `follow` still shows every
 * honest run, shows a run only as far as its chain holds, and no reader fetches the big row
 * or dies on it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/engine/errors.js';
import { incidentRuns } from '../src/engine/log/store.js';
import { freshDatabase, query } from './support/database.js';
import { runCli, tempDir } from './runner-support.js';
import { appendOnlyRole, freshLogDatabase, GATED, logRows, openGate, transcriptLinesOf, until, watchCli } from './log-support.js';

/** Runs the gated drill with both gates open into `incident`; its transcript's lines and run id. */
async function drill(log: string, incident: string, actor: string): Promise<{ lines: string[]; run: string; stderr: string }> {
  const dir = tempDir(`runbook-log-hostile-${actor}-`);
  const env = { GATE_ONE: join(dir, 'one'), GATE_TWO: join(dir, 'two') };
  openGate(env.GATE_ONE);
  openGate(env.GATE_TWO);
  const transcript = join(dir, `${actor}.jsonl`);
  const result = await runCli(['run', GATED, '--yes', '--actor', actor, '--transcript', transcript, '--log', log, '--incident', incident], { env });
  expect(result.code, result.stderr).toBe(0);
  const lines = transcriptLinesOf(readFileSync(transcript, 'utf8'));
  return { lines, run: (JSON.parse(lines[0] as string) as { run: string }).run, stderr: result.stderr };
}

async function connected(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

const NO_STACK = /^\s+at |Error: /m;

describe('a responder cannot blind follow', () => {
  it('a forged id (OVERRIDING SYSTEM VALUE), a held transaction and a held advisory lock: every honest event is still shown', async () => {
    const owner = await freshLogDatabase();
    expect((await runCli(['log', 'init', '--log', owner])).code).toBe(0);
    const responder = await appendOnlyRole(owner);
    const mallory = await connected(responder);
    const holder = await connected(responder);
    try {
      await mallory.query(
        `INSERT INTO runbook.events (id, incident, run, seq, ts, type, actor, line, received_at) OVERRIDING SYSTEM VALUE
         VALUES (9000000000000000000, 'INC-h', 'forged-run', 0, now(), 'run.started', 'alice', '{"v":1}', '2000-01-01')`,
      );
      // The stamp trigger ignored the id and the received_at the writer chose.
      const [forged] = await query<{ id: string; old: boolean }>(owner, `SELECT id::text, received_at < '2001-01-01' AS old FROM runbook.events WHERE run = 'forged-run'`);
      expect(BigInt(forged?.id ?? '0')).toBeLessThan(1000n);
      expect(forged?.old).toBe(false);
      // The namespace and key the inserts of an incident used to wait on: any role may take it.
      await holder.query('SELECT pg_advisory_lock($1, hashtext($2))', [0x72626c67, 'INC-h']);
      // A transaction left open with a row in it: it delays its own row, nobody else's.
      await holder.query(`BEGIN; INSERT INTO runbook.events (incident, run, seq, ts, type, actor, line) VALUES ('INC-h', 'held-run', 0, now(), 'run.started', 'm', 'held open')`);

      const follow = watchCli(['follow', '--log', responder, '--incident', 'INC-h', '--json']);
      await follow.waitFor(/^follow: incident INC-h/m, 'stderr');
      const honest = await drill(responder, 'INC-h', 'bob');
      expect(honest.stderr).toContain('log: every event delivered to incident INC-h');
      await follow.waitFor(/"type":"run\.finished"/);
      await follow.waitFor(/run forged-run, seq 0: not an event object/, 'stderr');
      expect(follow.stderr()).not.toContain('held-run');

      // Once the held transaction commits, its row is read though its id is below what follow has shown.
      await holder.query('COMMIT');
      await follow.waitFor(/run held-run, seq 0: not valid JSON; its events from there on are not shown/, 'stderr');
      follow.child.kill('SIGINT');
      expect((await follow.exited).code).toBe(130);
      expect(transcriptLinesOf(follow.stdout())).toEqual(honest.lines);
      expect(follow.stderr()).not.toMatch(NO_STACK);
    } finally {
      await mallory.end();
      await holder.end();
    }
  });
});

describe('follow checks each run before showing it', () => {
  it('a run changed in the log is shown up to the change, then one warning naming it; a row that is not JSON is a warning, not a line', async () => {
    const log = await freshLogDatabase();
    const changed = await drill(log, 'INC-c', 'alice');
    const intact = await drill(log, 'INC-c', 'bob');
    // The owner (or a superuser) can still change rows: the fourth line of alice's run.
    await query(log, `UPDATE runbook.events SET line = replace(line, '"ts":"', '"ts": "') WHERE run = $1 AND seq = 3`, [changed.run]);
    await query(log, `INSERT INTO runbook.events (incident, run, seq, ts, type, actor, line) VALUES ('INC-c', 'junk-run', 0, now(), 'run.started', 'bob', 'not json at all')`);

    const follow = watchCli(['follow', '--log', log, '--incident', 'INC-c', '--json']);
    await follow.waitFor(new RegExp(`"type":"run\\.finished","run":"${intact.run}"`));
    await follow.waitFor(new RegExp(`^follow: warning: run ${changed.run} \\(alice\\), seq 3: hash does not match the chain`, 'm'), 'stderr');
    await follow.waitFor(/^follow: warning: run junk-run, seq 0: not valid JSON; its events from there on are not shown: check with runbook verify --log URL --incident INC-c$/m, 'stderr');
    follow.child.kill('SIGINT');
    expect((await follow.exited).code).toBe(130);
    const shown = transcriptLinesOf(follow.stdout());
    expect(shown.filter((line) => line.includes(`"run":"${changed.run}"`))).toEqual(changed.lines.slice(0, 3));
    expect(shown.filter((line) => line.includes(`"run":"${intact.run}"`))).toEqual(intact.lines);
    expect(shown).toHaveLength(3 + intact.lines.length);
    expect(follow.stderr().match(/warning/g)).toHaveLength(2);

    // The plain view says the same, and names each line's actor from the run's own chain.
    const plain = watchCli(['follow', '--log', log, '--incident', 'INC-c']);
    await plain.waitFor(/\[bob [0-9a-f]{6}\] .*Run succeeded/);
    await plain.waitFor(new RegExp(`warning: run ${changed.run} \\(alice\\), seq 3`), 'stderr');
    plain.child.kill('SIGINT');
    expect((await plain.exited).code).toBe(130);
    expect(plain.stdout()).not.toContain('not json at all');
  });
});

describe('a row past the bounds', () => {
  it('a responder cannot insert one; one already there (40 MB) is one line in follow, verify --log and timeline --log, never fetched', async () => {
    const log = await freshLogDatabase();
    expect((await runCli(['log', 'init', '--log', log])).code).toBe(0);
    const responder = await appendOnlyRole(log);
    const client = await connected(responder);
    try {
      await expect(
        client.query(`INSERT INTO runbook.events (incident, run, seq, ts, type, actor, line) VALUES ('INC-big', 'big-run', 0, now(), 'run.started', 'm', repeat('x', 17 * 1024 * 1024))`),
      ).rejects.toMatchObject({ code: '23514' });
      await expect(
        client.query(`INSERT INTO runbook.events (incident, run, seq, ts, type, actor, line) VALUES ('INC-big', 'big-run', 0, now(), 'run.started', repeat('m', 5000), '{}')`),
      ).rejects.toMatchObject({ code: '23514' });
    } finally {
      await client.end();
    }
    const honest = await drill(responder, 'INC-big', 'carol');
    // A row from before the bound existed (or an owner's): 40 MB, built on the server.
    await query(log, 'ALTER TABLE runbook.events DROP CONSTRAINT events_bounds');
    await query(
      log,
      `INSERT INTO runbook.events (incident, run, seq, ts, type, actor, line)
       SELECT 'INC-big', 'big-run', 0, now(), 'run.started', 'm', '{"v":1,"seq":0,"x":"' || repeat('x', 40000000) || '"}'`,
    );

    const follow = watchCli(['follow', '--log', responder, '--incident', 'INC-big', '--json']);
    await follow.waitFor(/"type":"run\.finished"/);
    await follow.waitFor(/^follow: warning: run big-run, seq 0: a row of 40000022 bytes, past the log's bound of 16777216 bytes a line/m, 'stderr');
    follow.child.kill('SIGINT');
    expect((await follow.exited).code).toBe(130);
    expect(transcriptLinesOf(follow.stdout())).toEqual(honest.lines);
    expect(follow.stderr()).not.toMatch(NO_STACK);

    const verify = await runCli(['verify', '--log', responder, '--incident', 'INC-big']);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(`log INC-big: ok, ${honest.lines.length} events`);
    expect(verify.stderr).toBe(
      "runbook: log INC-big: run big-run, seq 0: a row of 40000022 bytes, past the log's bound of 16777216 bytes a line (or 4096 a name): not read\n",
    );

    for (const format of ['md', 'json']) {
      const timeline = await runCli(['timeline', '--log', responder, '--incident', 'INC-big', '--format', format]);
      expect(timeline.code, timeline.stderr).toBe(0);
      expect(timeline.stderr).toMatch(/^runbook: warning: log INC-big: run big-run, seq 0: a row of 40000022 bytes, past the log's bound/);
      expect(timeline.stderr).not.toMatch(NO_STACK);
      expect(timeline.stdout.length).toBeLessThan(1_000_000);
      expect(timeline.stdout).toContain('carol');
    }
  });
});

describe('a transcript line longer than the log takes', () => {
  it('the run delivers the rest and says so; the log holds a stand-in, which follow and verify --log name; push exits 1', async () => {
    const log = await freshLogDatabase();
    const target = await freshDatabase('wide');
    const dir = tempDir('runbook-log-wide-');
    const runbook = join(dir, 'wide.md');
    // 500 rows of 40,000 characters: one sql.result line of about 20 MB.
    writeFileSync(runbook, "# Wide\n\n## Wide\n\n```sql {name=wide}\nSELECT repeat('x', 40000) AS wide FROM generate_series(1, 500);\n```\n\n## After\n\n```sh {name=after readonly}\necho after the wide one\n```\n");
    const transcript = join(dir, 'wide.jsonl');
    const run = await runCli(['run', runbook, '--yes', '--json', '--db', target, '--actor', 'erin', '--transcript', transcript, '--log', log, '--incident', 'INC-w']);
    expect(run.code, run.stderr).toBe(0);
    const lines = transcriptLinesOf(readFileSync(transcript, 'utf8'));
    const wide = lines.findIndex((line) => line.length > 16 * 1024 * 1024);
    expect(wide).toBeGreaterThan(0);
    const bytes = Buffer.byteLength(lines[wide] as string);
    expect(run.stderr).toContain(
      `log: every event delivered to incident INC-w; but 1 events longer than the log takes (16777216 bytes a line) stay in the transcript only (seq ${wide})`,
    );
    const runId = (JSON.parse(lines[0] as string) as { run: string }).run;

    const follow = watchCli(['follow', '--log', log, '--incident', 'INC-w', '--json']);
    await follow.waitFor(
      new RegExp(`^follow: warning: run ${runId} \\(erin\\), seq ${wide}: its event \\(sql\\.result, ${bytes} bytes\\) was longer than the log takes: it is in the run's transcript only`, 'm'),
      'stderr',
    );
    follow.child.kill('SIGINT');
    expect((await follow.exited).code).toBe(130);
    expect(transcriptLinesOf(follow.stdout())).toEqual(lines.slice(0, wide));

    const verify = await runCli(['verify', '--log', log, '--incident', 'INC-w']);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(new RegExp(`^runbook: log INC-w: run ${runId}, seq ${wide}: its event \\(sql\\.result, ${bytes} bytes\\) was longer than the log takes`));

    const push = await runCli(['log', 'push', transcript, '--log', log, '--incident', 'INC-w']);
    expect(push.code).toBe(1);
    expect(push.stdout).toContain(`0 of ${lines.length} events added to incident INC-w, ${lines.length} already there`);
    expect(push.stderr).toBe(
      `runbook: ${transcript}: 1 events longer than the log takes (16777216 bytes a line) stay in the transcript only (seq ${wide}); the log's copy of the run has a gap there\n`,
    );
  });
});

/** The schema as runbook created it before the stamp and the bounds (version 1), verbatim. */
const SCHEMA_V1 = `
CREATE SCHEMA IF NOT EXISTS runbook;
CREATE TABLE IF NOT EXISTS runbook.events (
  id          bigint GENERATED ALWAYS AS IDENTITY,
  incident    text        NOT NULL,
  run         text        NOT NULL,
  seq         integer     NOT NULL CHECK (seq >= 0),
  ts          timestamptz NOT NULL,
  type        text        NOT NULL,
  actor       text        NOT NULL,
  line        text        NOT NULL,
  received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (run, seq)
);
CREATE UNIQUE INDEX IF NOT EXISTS events_incident_id ON runbook.events (incident, id);
CREATE OR REPLACE FUNCTION runbook.notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('runbook_events', incident) FROM (SELECT DISTINCT incident FROM added) AS incidents;
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS events_notify ON runbook.events;
CREATE TRIGGER events_notify AFTER INSERT ON runbook.events
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION runbook.notify_events();
COMMENT ON TABLE runbook.events IS 'runbook incident log, schema 1';
`;

describe('a log made by an older runbook (schema version 1)', () => {
  it('a responder is told the owner must upgrade; log init upgrades it in place, keeping every row; then follow shows old and new runs', async () => {
    const scratch = await freshLogDatabase();
    const old = await drill(scratch, 'INC-old', 'frank');
    const log = await freshLogDatabase();
    await query(log, SCHEMA_V1);
    for (const [seq, line] of old.lines.entries()) {
      const event = JSON.parse(line) as { ts: string; type: string };
      await query(log, `INSERT INTO runbook.events (incident, run, seq, ts, type, actor, line) VALUES ('INC-old', $1, $2, $3, $4, 'frank', $5)`, [old.run, seq, event.ts, event.type, line]);
    }
    const responder = await appendOnlyRole(log);

    const dir = tempDir('runbook-log-v1-');
    const env = { GATE_ONE: join(dir, 'one'), GATE_TWO: join(dir, 'two') };
    openGate(env.GATE_ONE);
    openGate(env.GATE_TWO);
    const transcript = join(dir, 'new.jsonl');
    const run = await runCli(['run', GATED, '--yes', '--actor', 'gina', '--transcript', transcript, '--log', responder, '--incident', 'INC-old'], { env });
    expect(run.code, run.stderr).toBe(0);
    // Told during the run (`log: unreachable (…)`) or, when the run ends before the log's first
    // answer, in the line that counts what was not delivered: the same reason, the same command.
    expect(run.stderr).toMatch(/^log: (unreachable|\d+ events not delivered \(seq 0-\d+\)) \(the log's schema is version 1, from an older runbook; this runbook needs version 2: its owner upgrades it in place \(nothing is rewritten\) with: runbook log init --log postgres:\/\/OWNER@host\/db\)/m);
    expect(run.stderr).toMatch(/^log: \d+ events not delivered \(seq 0-\d+\)/m);
    const follow = await runCli(['follow', '--log', responder, '--incident', 'INC-old']);
    expect(follow.code).toBe(2);
    expect(follow.stderr).toMatch(/\nrunbook: the log's schema is version 1, from an older runbook; .* runbook log init --log postgres:\/\/OWNER@host\/db\n$/);
    // Reading needs no upgrade.
    const verifyOld = await runCli(['verify', '--log', responder, '--incident', 'INC-old']);
    expect(verifyOld.code, verifyOld.stderr).toBe(0);
    expect(verifyOld.stdout).toContain(`log INC-old: ok, ${old.lines.length} events`);

    const init = await runCli(['log', 'init', '--log', log]);
    expect(init.code, init.stderr).toBe(0);
    const rows = await query<{ line: string; xid: string }>(log, `SELECT line, xid::text AS xid FROM runbook.events ORDER BY id`);
    expect(rows.map((r) => r.line)).toEqual(old.lines);
    expect(new Set(rows.map((r) => r.xid))).toEqual(new Set(['0']));
    const push = await runCli(['log', 'push', transcript, '--log', responder, '--incident', 'INC-old']);
    expect(push.code, push.stderr).toBe(0);

    const live = watchCli(['follow', '--log', responder, '--incident', 'INC-old', '--json']);
    await live.waitFor(/"type":"run\.finished"[\s\S]*"type":"run\.finished"/);
    live.child.kill('SIGINT');
    expect((await live.exited).code).toBe(130);
    expect(transcriptLinesOf(live.stdout())).toEqual([...old.lines, ...transcriptLinesOf(readFileSync(transcript, 'utf8'))]);
  });
});

describe('an incident too big to hold', () => {
  it('readers ask its size first and refuse it in one line (a small bound here; the CLI holds up to 1 GiB)', async () => {
    const log = await freshLogDatabase();
    await drill(log, 'INC-full', 'hal');
    const client = await connected(log);
    try {
      const runs = await incidentRuns(client, 'INC-full', 1_000_000);
      expect([...runs.values()].flat().length).toBeGreaterThan(5);
      await expect(incidentRuns(client, 'INC-full', 1000)).rejects.toThrow(
        /^incident INC-full holds \d+ bytes of lines in the log \(\d+ rows\), more than the 1000 bytes a reader holds at once; look at its runs with runbook follow/,
      );
      await expect(incidentRuns(client, 'INC-full', 1000)).rejects.toBeInstanceOf(InputError);
    } finally {
      await client.end();
    }
  });
});

describe('a seq taken under another incident', () => {
  it('follow names the run at once instead of waiting for a row that can never come', async () => {
    const owner = await freshLogDatabase();
    expect((await runCli(['log', 'init', '--log', owner])).code).toBe(0);
    const responder = await appendOnlyRole(owner);
    const dir = tempDir('runbook-log-elsewhere-');
    const gates = { GATE_ONE: join(dir, 'one'), GATE_TWO: join(dir, 'two') };
    const transcript = join(dir, 'ivy.jsonl');
    const run = watchCli(['run', GATED, '--yes', '--actor', 'ivy', '--transcript', transcript, '--log', responder, '--incident', 'INC-e'], { env: gates });
    await until(async () => (await logRows(owner, 'INC-e')).some((r) => r.type === 'cell.started' && r.line.includes('"cell":"gate-one"')), 'gate-one reached the log');
    const delivered = await logRows(owner, 'INC-e');
    const runId = (delivered[0] as { run: string }).run;
    const next = delivered.length;
    // While the run waits at its gate, a responder files the run's next seq under another incident.
    await query(responder, `INSERT INTO runbook.events (incident, run, seq, ts, type, actor, line) VALUES ('INC-other', $1, $2, now(), 'cell.output', 'ivy', '{}')`, [runId, next]);
    openGate(gates.GATE_ONE);
    openGate(gates.GATE_TWO);
    expect((await run.exited).code, run.stderr()).toBe(0);
    expect(run.stderr()).toContain('1 events were already in the log with other content and were left as they were');

    const follow = watchCli(['follow', '--log', responder, '--incident', 'INC-e', '--json']);
    await follow.waitFor(new RegExp(`^follow: warning: run ${runId} \\(ivy\\), seq ${next}: seq ${next} is in the log under incident INC-other, not this one; its events from there on are not shown`, 'm'), 'stderr');
    follow.child.kill('SIGINT');
    expect((await follow.exited).code).toBe(130);
    expect(transcriptLinesOf(follow.stdout())).toEqual(transcriptLinesOf(readFileSync(transcript, 'utf8')).slice(0, next));
  });
});
