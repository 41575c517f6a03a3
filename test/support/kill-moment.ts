/**
 * A random moment to kill a process at, that a failure names: a kill test that fails once in
 * a hundred runs is worth nothing if its draw is lost. The moment is printed when the test
 * fails, and RUNBOOK_KILL_AT_MS=<ms> replays it.
 */
import { onTestFailed } from 'vitest';

export function killMoment(minMs: number, maxMs: number): number {
  const forced = process.env.RUNBOOK_KILL_AT_MS;
  const ms = forced !== undefined && forced !== '' ? Number(forced) : Math.floor(minMs + Math.random() * (maxMs - minMs));
  onTestFailed(() => {
    console.error(`the kill came ${ms} ms in; replay it with RUNBOOK_KILL_AT_MS=${ms}`);
  });
  return ms;
}
