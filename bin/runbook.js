#!/usr/bin/env node
// The installed entry point: the compiled CLI lives in dist/ (built by `npm install`/`npm run build`).
// Secret arguments leave the process list first, before the CLI's module graph loads (see
// src/commands/hide-arguments.ts); only then is the rest of the CLI imported.
import { hideSecretArguments } from '../dist/commands/hide-arguments.js';

hideSecretArguments(process.argv.slice(2));
const { main } = await import('../dist/cli.js');
const { EXIT } = await import('../dist/commands/exit.js');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`runbook: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = EXIT.internal;
  },
);
