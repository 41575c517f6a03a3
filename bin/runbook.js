#!/usr/bin/env node
// The installed entry point: the compiled CLI lives in dist/bundle/ (built by `npm install`/`npm
// run build`: tsc into dist/, then scripts/bundle.mjs bundles it so that Node loads tens of files, not hundreds).
// Secret arguments leave the process list first, before the CLI's module graph loads (see
// src/commands/hide-arguments.ts); only then is the rest of the CLI imported. Both imports are
// dynamic so that a missing or half-built dist/ is one line and exit 70, not a loader's stack.

/** EXIT.internal in src/commands/exit.ts (this file cannot import it if dist/ is broken); test/exit-codes.test.ts compares them. */
const EXIT_INTERNAL = 70;
const argv = process.argv.slice(2);

// Node 21+ defines navigator.userAgent; Node 20 does not, and pg 8 then probes for Cloudflare
// Workers by constructing a fetch Response, which loads Node's bundled undici: ~30 ms of CPU
// in every run that talks to PostgreSQL. The value is the one Node 21+ gives.
if (globalThis.navigator === undefined) {
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` }, configurable: true, writable: true });
}

// V8's optimizing compiler (TurboFan, on background threads) starts on a function after
// ~66 KB of its bytecode has run; in a run of a few hundred cells that compiles code that
// then runs a few hundred times more: ~20% of the CPU of 500 SQL cells (0.745 -> 0.60 s,
// median of 4, alternating) went to compiling. Four times the budget still optimizes the
// really hot loops (2,000,000 rows, a 100,000-event timeline: no slower). Process-wide, so
// here, and only for the commands that run cells: node:v8 costs list and lint ~1.5 ms to load.
if (argv[0] === 'run' || argv[0] === 'resume') (await import('node:v8')).setFlagsFromString('--interrupt-budget=270336');

try {
  const { hideSecretArguments } = await import('../dist/bundle/hide-arguments.js');
  hideSecretArguments(argv);
  const { main } = await import('../dist/bundle/cli.js');
  // main() never throws: bad input is one line and exit 2, a bug one line and exit 70 (commands/internal-error.ts).
  process.exitCode = await main(argv);
} catch (error) {
  // Only what went wrong before main() ran: dist/ missing, stale, or not loadable.
  let code = EXIT_INTERNAL;
  try {
    const { reportInternalError } = await import('../dist/bundle/internal-error.js');
    code = reportInternalError(error, { argv });
  } catch {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stderr.write(`runbook: internal error: the CLI could not load (${reason}); dist/ is missing or stale: run \`npm run build\` (npm install builds it)\n`);
  }
  process.exitCode = code;
}
