/**
 * The one place the engine asks which operating system it runs on. Everything that differs
 * per OS (program lookup, stopping a process tree, the kill -9 watcher, default pager and
 * editor) reads `platform()`, so the Windows paths can be exercised here, on Linux, by tests
 * that report `win32` through `withPlatform` — no Windows machine exists in this project's CI.
 */
export type Platform = 'posix' | 'win32';

let reported: Platform | undefined;

export function platform(): Platform {
  return reported ?? (process.platform === 'win32' ? 'win32' : 'posix');
}

/**
 * Reports `as` for the rest of the process (the `unit-win32` test project's setup: the pure
 * tests run once more as Windows would see them). `undefined` goes back to the real OS.
 */
export function reportPlatform(as: Platform | undefined): void {
  reported = as;
}

/** Runs `body` with `platform()` reporting `as` (tests only: the pure seams, never a spawn). */
export function withPlatform<T>(as: Platform, body: () => T): T {
  const before = reported;
  reported = as;
  try {
    return body();
  } finally {
    reported = before;
  }
}
