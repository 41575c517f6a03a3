/**
 * Workload 10: the shared incident log. 20 runs of a fast runbook at once, all into one
 * incident of one log database, against the same 20 runs without a log in the same
 * minute. Measured from the log itself: events per second delivered, delivery lag
 * (received_at - ts) p50/p99, and every transcript line present exactly once.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { RUNBOOK } from '../lib/cli.js';
import { OUT, ROOT, write, shellRunbook } from '../lib/generate.js';
import { median } from '../lib/measure.js';
import { absoluteRow, formatMs, ratioRow } from '../lib/report.js';

export const title = 'shared log';
export const rounds = 3;
export const needsDatabase = true;
const RUNS = 20;
const CELLS = 25;

/** Starts RUNS runs at once; resolves to the wall time until the last one exited. Rejects on a failed run. */
async function concurrentRuns(markdown, transcripts, logArgs) {
  const started = performance.now();
  await Promise.all(
    transcripts.map(
      (transcript, i) =>
        new Promise((resolve, reject) => {
          rmSync(transcript, { force: true });
          const args = [RUNBOOK, 'run', markdown, '--yes', '--actor', `responder-${i}`, '--transcript', transcript, ...logArgs];
          const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
          let stderr = '';
          child.stderr.on('data', (chunk) => (stderr += chunk));
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`run ${i} exited ${code}: ${stderr.trim().split('\n').at(-1)}`))));
        }),
    ),
  );
  return performance.now() - started;
}

/** `runbook log push` of every transcript; undefined when it exits 0. */
function pushAll(transcripts, logUrl, incident) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RUNBOOK, 'log', 'push', ...transcripts, '--log', logUrl, '--incident', incident], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve(code === 0 ? undefined : `exit ${code}: ${stderr.trim()}`));
  });
}

async function logDatabase(serverUrl) {
  const name = `benchlog_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** What the log holds for an incident, checked against the transcripts: undefined when every line is there exactly once. */
async function measureIncident(client, incident, transcripts) {
  const { rows } = await client.query(
    `SELECT run, seq, line, extract(epoch FROM received_at - ts) * 1000 AS lag_ms,
            extract(epoch FROM ts) * 1000 AS ts_ms, extract(epoch FROM received_at) * 1000 AS received_ms
       FROM runbook.events WHERE incident = $1`,
    [incident],
  );
  const expected = new Map();
  for (const path of transcripts) {
    for (const line of readFileSync(path, 'utf8').split('\n').filter(Boolean)) {
      const { run, seq } = JSON.parse(line);
      expected.set(`${run}/${seq}`, line);
    }
  }
  const seen = new Set();
  let problem;
  for (const row of rows) {
    const key = `${row.run}/${row.seq}`;
    if (seen.has(key)) problem ??= `${key} twice`;
    seen.add(key);
    if (expected.get(key) !== row.line) problem ??= `${key} differs from its transcript line`;
  }
  if (seen.size !== expected.size) problem ??= `${expected.size - seen.size} of ${expected.size} lines missing from the log`;
  const lags = rows.map((r) => Number(r.lag_ms)).sort((a, b) => a - b);
  const first = Math.min(...rows.map((r) => Number(r.ts_ms)));
  const last = Math.max(...rows.map((r) => Number(r.received_ms)));
  return {
    problem,
    events: rows.length,
    perSecond: rows.length / ((last - first) / 1000),
    p50: lags[Math.floor(lags.length * 0.5)] ?? 0,
    p99: lags[Math.min(lags.length - 1, Math.floor(lags.length * 0.99))] ?? 0,
  };
}

export async function run({ rounds, databaseUrl, log }) {
  const markdown = write(`log-${CELLS}.md`, shellRunbook(CELLS));
  const transcripts = Array.from({ length: RUNS }, (_, i) => join(OUT, `log-run-${i}.jsonl`));
  const logUrl = await logDatabase(databaseUrl);
  const client = new pg.Client({ connectionString: logUrl });
  const plain = { ms: [] };
  const logged = { ms: [] };
  const measured = [];
  let failed;
  try {
    await concurrentRuns(markdown, transcripts, []); // warm-up
    for (let round = 0; round < rounds && !failed; round += 1) {
      plain.ms.push(await concurrentRuns(markdown, transcripts, []));
      const incident = `BENCH-${round}-${randomBytes(2).toString('hex')}`;
      logged.ms.push(await concurrentRuns(markdown, transcripts, ['--log', logUrl, '--incident', incident]));
      if (round === 0) await client.connect();
      const live = await measureIncident(client, incident, transcripts);
      // What a run could not deliver before it exited is in its transcript: `log push` delivers it, once.
      const push = await pushAll(transcripts, logUrl, incident);
      const after = await measureIncident(client, incident, transcripts);
      if (push) failed = `round ${round + 1}: log push: ${push}`;
      else if (after.problem) failed = `round ${round + 1}: after log push: ${after.problem}`;
      measured.push({ ...live, total: after.events });
      log(
        `bench: log round ${round + 1}: ${live.events} of ${after.events} events delivered live (${live.problem ?? 'all'}), ` +
          `${live.perSecond.toFixed(0)} events/s, lag p50 ${formatMs(live.p50)} p99 ${formatMs(live.p99)}`,
      );
    }
  } catch (error) {
    failed = error.message;
  } finally {
    await client.end().catch(() => undefined);
  }
  if (failed) {
    plain.failed ??= failed;
    logged.failed = failed;
  }
  const workload = `10 log: ${RUNS} concurrent runs × ${CELLS} cells, one incident`;
  const live = measured.map((m) => `${m.events}/${m.total}`).join(', ');
  return [
    ratioRow({ workload, engine: logged, baselineLabel: 'the same 20 runs without --log', baseline: plain, maxRatio: 1.25, note: 'wall time until the last run exited' }),
    absoluteRow({
      workload: `${workload}: delivery lag p99`,
      value: median(measured.map((m) => m.p99)),
      failed,
      format: formatMs,
      max: 2000,
      rounds: measured.length,
      note: `p50 ${formatMs(median(measured.map((m) => m.p50)))}; received_at − ts, same clock`,
    }),
    absoluteRow({
      workload: `${workload}: events delivered per second`,
      value: median(measured.map((m) => m.perSecond)),
      failed,
      format: (v) => `${v.toFixed(0)}/s`,
      rounds: measured.length,
      note: `events delivered live per round ${live}; the rest by log push after the runs; then every transcript line exactly once`,
    }),
  ];
}
