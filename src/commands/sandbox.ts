/**
 * `runbook sandbox start|stop|reset|url|status [--runbook FILE]`: manage the local
 * PostgreSQL sandbox. The runbook names the seed (`<runbook>.sandbox.sql` beside it) and
 * so the database. `url` prints the full URL (for `psql "$(runbook sandbox url)"`);
 * everything else masks the password.
 */
import { existsSync } from 'node:fs';
import { InputError } from '../engine/errors.js';
import { EXIT } from './exit.js';
import { maskUrl } from '../engine/redact.js';
import { ensureSandbox, pendingSeedReview, seedDeclined, resetSandbox, sandboxStatus, stopSandbox } from '../engine/sandbox.js';
import { seedConfirmer } from './seed-confirm.js';
import { seedFileFor } from '../engine/target.js';

const ACTIONS = ['start', 'stop', 'reset', 'url', 'status'] as const;
type Action = (typeof ACTIONS)[number];

export async function sandbox(action: string, opts: { runbook: string; trustSeed?: boolean }): Promise<number> {
  if (!(ACTIONS as readonly string[]).includes(action)) {
    process.stderr.write(`runbook: sandbox: unknown action '${action}'; use one of ${ACTIONS.join(', ')}\n`);
    return EXIT.usage;
  }
  try {
    return await perform(action as Action, opts);
  } catch (error) {
    if (error instanceof InputError) throw error;
    process.stderr.write(`runbook: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

async function perform(action: Action, opts: { runbook: string; trustSeed?: boolean }): Promise<number> {
  const { runbook } = opts;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (action === 'stop') {
    out((await stopSandbox()) ? 'SANDBOX stopped' : 'SANDBOX was not running');
    return EXIT.ok;
  }
  if (action === 'status') {
    printStatus(out);
    return EXIT.ok;
  }
  const seedFile = seed(runbook, action === 'reset');
  const confirmedSeed = seedFile ? await confirmed(seedFile, opts) : undefined;
  const confirmation = confirmedSeed ? { confirmedSeed } : {};
  if (action === 'reset') {
    const handle = await resetSandbox(seedFile as string, confirmation);
    out(`SANDBOX reset: ${handle.database} reseeded from ${seedFile}  ${maskUrl(handle.url)}`);
    return EXIT.ok;
  }
  const handle = await ensureSandbox(seedFile ? { seedFile, ...confirmation } : {});
  if (action === 'url') {
    if (handle.started) process.stderr.write('runbook: sandbox started\n');
    out(handle.url);
    return EXIT.ok;
  }
  out(`SANDBOX  ${maskUrl(handle.url)}  (${handle.started ? 'started' : 'already running'}${handle.seeded ? `, seeded from ${seedFile}` : ''})`);
  out('         a local, disposable PostgreSQL; `runbook sandbox url` prints the URL with its password');
  return EXIT.ok;
}

/** The sha256 of a seed reaching outside the database that the operator (or --trust-seed) confirmed now; undefined when none needs it. */
async function confirmed(seedFile: string, opts: { trustSeed?: boolean }): Promise<string | undefined> {
  const review = await pendingSeedReview(seedFile);
  if (!review) return undefined;
  if (!(await seedConfirmer(opts)(review))) throw new InputError(seedDeclined(review));
  return review.sha256;
}

/** The seed beside the runbook; `reset` cannot do without one. */
function seed(runbook: string, required: boolean): string | undefined {
  if (!existsSync(runbook)) throw new InputError(`sandbox: --runbook ${runbook}: no such file; pass the runbook whose sandbox you want`);
  const seedFile = seedFileFor(runbook);
  if (!seedFile && required) {
    throw new InputError(`sandbox: no seed file beside ${runbook} (expected ${runbook.replace(/\.(md|markdown)$/i, '')}.sandbox.sql)`);
  }
  return seedFile;
}

function printStatus(out: (line: string) => void): void {
  const status = sandboxStatus();
  if (!status.initialised) {
    out(`SANDBOX not initialised (cache ${status.cacheDir}); \`runbook sandbox start\` creates it`);
    return;
  }
  const server = status.server === 'running' ? `running (pid ${status.pid}) on 127.0.0.1:${status.port}` : status.server;
  out(`SANDBOX ${server}`);
  out(`  data      ${status.dataDir}`);
  out(`  cache     ${status.cacheDir}`);
  for (const db of status.databases) {
    const sessions = db.sessions ? 'sessions running' : 'no sessions';
    out(`  database  ${db.name}  ${maskUrl(db.url)}  seeded ${db.seededAt}${db.seedFile ? ` from ${db.seedFile}` : ''}, ${sessions}`);
  }
}
