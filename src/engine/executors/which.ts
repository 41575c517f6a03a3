/** PATH lookups live with the run plan (src/engine/plan/which.ts), which owns interpreters; re-exported for executors and tests. */
export { findProgram, onPath, powershellInterpreter } from '../plan/which.js';
