/**
 * The log database dies in the middle of a run (`pg_ctl stop -m immediate` on a server of
 * its own): the run goes on and finishes every cell, the transcript stays whole, and what
 * the log missed is delivered by `runbook log push` — once; or by the run itself when the
 * log comes back while it is still going.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTranscript } from '../src/engine/transcript.js';
import { parseLines, runCli, tempDir } from './runner-support.js';
import { GATED, logRows, openGate, secondServer, transcriptLinesOf, until, watchCli } from './log-support.js';

type Server = Awaited<ReturnType<typeof secondServer>>;

describe('the log goes down mid-run', () => {
  let server: Server;
  beforeAll(async () => {
    server = await secondServer();
  });
  afterAll(async () => {
    await server?.remove();
  });

  const gatedRun = (incident: string) => {
    const dir = tempDir('runbook-log-outage-');
    const gates = { GATE_ONE: join(dir, 'gate-one'), GATE_TWO: join(dir, 'gate-two') };
    const transcript = join(dir, 'gated.jsonl');
    const run = watchCli(['run', GATED, '--yes', '--transcript', transcript, '--log', server.url, '--incident', incident], { env: gates });
    const cellStartedInLog = (cell: string) => async () =>
      (await logRows(server.url, incident).catch(() => [])).some((row) => row.type === 'cell.started' && row.line.includes(`"cell":"${cell}"`));
    return { run, transcript, gates, cellStartedInLog };
  };

  it('the run finishes every cell; log push delivers the rest, a second push adds nothing, verify --log counts the file', async () => {
    const incident = 'INC-outage-1';
    const { run, transcript, gates, cellStartedInLog } = gatedRun(incident);
    // Delivery is live: the log has the gate's cell.started while the cell still waits.
    await until(cellStartedInLog('gate-one'), 'the log has cell.started of gate-one');
    const deliveredBefore = (await logRows(server.url, incident)).length;
    await server.crash();
    openGate(gates.GATE_ONE);
    openGate(gates.GATE_TWO);
    const exit = await run.exited;
    expect(exit.code, run.stderr()).toBe(0);

    const text = readFileSync(transcript, 'utf8');
    const events = parseLines(text);
    expect(events.filter((e) => e.type === 'cell.finished').map((e) => [e.cell, e.status])).toEqual([
      ['before', 'succeeded'], ['gate-one', 'succeeded'], ['gate-two', 'succeeded'], ['after', 'succeeded'],
    ]);
    expect(await verifyTranscript(transcript)).toMatchObject({ ok: true, events: events.length });
    expect(run.stderr()).toMatch(/^log: unreachable \(.+\); \d+ events wait in the transcript, the run goes on$/m);
    const undelivered = /^log: (\d+) events not delivered \(seq (\d+)-(\d+)\).*runbook log push (\S+) --log '(\S+)' --incident (\S+)$/m.exec(run.stderr());
    expect(undelivered, run.stderr()).not.toBeNull();
    const [, count, from, to, pushPath, shownUrl] = undelivered as RegExpExecArray;
    expect(Number(to)).toBe(events.length - 1);
    expect(Number(from)).toBe(deliveredBefore);
    expect(Number(count)).toBe(events.length - deliveredBefore);
    expect(pushPath).toBe(transcript);
    expect(shownUrl).toContain('********');
    expect(run.stderr() + run.stdout()).not.toContain(new URL(server.url).password);

    await server.restart();
    expect((await logRows(server.url, incident)).length).toBe(deliveredBefore);
    const push = await runCli(['log', 'push', transcript, '--log', server.url, '--incident', incident]);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stdout).toContain(`${transcript}: ${count} of ${events.length} events added to incident ${incident}, ${deliveredBefore} already there`);
    const again = await runCli(['log', 'push', transcript, '--log', server.url, '--incident', incident]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`0 of ${events.length} events added to incident ${incident}, ${events.length} already there`);
    expect((await logRows(server.url, incident)).map((r) => r.line)).toEqual(transcriptLinesOf(text));

    const verify = await runCli(['verify', '--log', server.url, '--incident', incident, '--transcript', transcript]);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toBe(
      `log ${incident}: ok, ${events.length} events (seq 0-${events.length - 1}), hash chain intact, run ${events[0]?.run}\n` +
        `${transcript}: the log has all ${events.length} events of run ${events[0]?.run}, line for line\n`,
    );
  });

  it('delivery comes back by itself when the log returns during the run', async () => {
    const incident = 'INC-outage-2';
    const follower = watchCli(['follow', '--log', server.url, '--incident', incident, '--json']);
    await follower.waitFor(/^follow: incident/m, 'stderr');
    const { run, transcript, gates, cellStartedInLog } = gatedRun(incident);
    await until(cellStartedInLog('gate-one'), 'the log has cell.started of gate-one');
    await server.crash();
    openGate(gates.GATE_ONE);
    await run.waitFor(/^log: unreachable/m, 'stderr');
    await server.restart();
    await until(cellStartedInLog('gate-two'), 'the log has cell.started of gate-two again');
    openGate(gates.GATE_TWO);
    const exit = await run.exited;
    expect(exit.code, run.stderr()).toBe(0);
    expect(run.stderr()).toContain(`log: every event delivered to incident ${incident}`);
    const lines = transcriptLinesOf(readFileSync(transcript, 'utf8'));
    expect((await logRows(server.url, incident)).map((r) => r.line)).toEqual(lines);

    // The follower lost its connection too, came back by itself and caught up: every line once, in order.
    await follower.waitFor(/"type":"run\.finished"/);
    follower.child.kill('SIGINT');
    expect((await follower.exited).code).toBe(130);
    expect(follower.stderr()).toMatch(/^follow: the log \S+ is unreachable \(.+\); retrying$/m);
    expect(follower.stderr()).toContain('follow: the log answers again; catching up');
    expect(transcriptLinesOf(follower.stdout())).toEqual(lines);
  });
});
