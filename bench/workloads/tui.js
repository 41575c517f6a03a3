/** Workload 8: TUI under load (placeholder until the TUI lands; reports why it did not run). */
import { failedRow } from '../lib/report.js';

export const title = 'TUI under load';
export const rounds = 5;

export async function run() {
  return [failedRow('8 TUI: key-to-screen latency under 10,000 lines/s', 'not measured yet: the TUI is not built')];
}
