/**
 * Property tests draw new random inputs on every run on a developer's machine, where a new
 * counterexample is welcome. Under CI (CI=true) they use one fixed seed, so whether a
 * submission lands does not depend on the draw; FC_SEED=<n> replays any reported failure.
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED ?? (process.env.CI ? '20261201' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
