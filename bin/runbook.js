#!/usr/bin/env node
// The installed entry point: the compiled CLI lives in dist/ (built by `npm install`/`npm run build`).
import { main } from '../dist/cli.js';
import { EXIT } from '../dist/commands/exit.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`runbook: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = EXIT.internal;
  },
);
