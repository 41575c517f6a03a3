#!/usr/bin/env node
/**
 * Baseline for the timeline workload: read the transcript and JSON.parse every line,
 * nothing else. Any timeline has to do at least this much.
 */
import { readFileSync } from 'node:fs';

let events = 0;
for (const line of readFileSync(process.argv[2], 'utf8').split('\n')) {
  if (!line) continue;
  JSON.parse(line);
  events += 1;
}
process.stdout.write(`${events} events\n`);
