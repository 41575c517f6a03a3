/**
 * The `--yes` operator: runs every cell once and moves on. It never types a target's
 * name: a guarded write runs only when the command line said `--allow-writes`.
 * Whether a failed cell ends the run is the runner's rule (`--keep-going`,
 * `continueOnError`), not a decision this operator pretends to make.
 */
import type { Decision, DecisionContext, Operator, WriteApproval } from '../operator.js';

export interface UnattendedOptions {
  actor: string;
  allowWrites: boolean;
}

export function createUnattendedOperator(options: UnattendedOptions): Operator {
  return {
    actor: options.actor,
    async decide(context: DecisionContext): Promise<Decision> {
      return context.attempts === 0 ? { action: 'run' } : { action: 'next' };
    },
    async confirmWrite(): Promise<WriteApproval> {
      // The flag allowed it, not a person at the keyboard: recorded as `allow-write`.
      return options.allowWrites ? { flag: '--allow-writes' } : false;
    },
    async askVariable(): Promise<string | undefined> {
      return undefined;
    },
  };
}
