/** When the transcript writer syncs: at the events a review cannot lose, else at most once a second. */
import { describe, expect, it } from 'vitest';
import { mustSync } from '../src/engine/transcript/writer.js';

describe('transcript sync policy', () => {
  it('syncs at once after every event an incident review cannot do without', () => {
    // Cell boundaries and decisions nobody labelled with an effect sync as a write's (transcript-group-commit.test.ts).
    for (const type of ['run.started', 'run.resumed', 'cell.started', 'cell.finished', 'operator.decision', 'operator.note', 'checklist.ticked', 'run.finished']) {
      expect(mustSync(type, 0)).toBe(true);
    }
  });

  it('syncs output and results at most once a second, leaving the rest to the next required sync', () => {
    for (const type of ['cell.output', 'sql.result', 'cell.output.spilled', 'variable.bound', 'run.preflight']) {
      expect(mustSync(type, 0)).toBe(false);
      expect(mustSync(type, 999)).toBe(false);
      expect(mustSync(type, 1000)).toBe(true);
    }
  });
});
