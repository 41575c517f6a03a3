/**
 * PostgreSQL's own built-in functions and operators that are IMMUTABLE or STABLE in every
 * overload (pg_catalog, server 170006): what a statement may call and still be a read when no
 * database is at hand (lint, list). Against a database its own catalogue decides instead.
 * Generated from pg_proc / pg_operator into builtin-functions.json and checked against the live
 * catalogue by test/builtin-functions.test.ts, whose two queries regenerate it after a server
 * upgrade: `RUNBOOK_REGENERATE_BUILTINS=1 npx vitest run test/builtin-functions.test.ts`.
 */
import { readFileSync } from 'node:fs';
// The type-only import gives the data its type and puts the file in tsc's program, so the build
// copies it into dist/ beside this module.
import type Snapshot from './builtin-functions.json';

// Read from beside this module (src/ under vitest, dist/ once built) rather than imported as a
// JSON module: Node before 20.18.3 prints an ExperimentalWarning for those on every start.
const snapshot = JSON.parse(readFileSync(new URL('./builtin-functions.json', import.meta.url), 'utf8')) as typeof Snapshot;

export const BUILTIN_SERVER_VERSION: number = snapshot.serverVersion;
export const BUILTIN_READ_FUNCTIONS: ReadonlySet<string> = new Set(snapshot.functions);
export const BUILTIN_READ_OPERATORS: ReadonlySet<string> = new Set(snapshot.operators);
