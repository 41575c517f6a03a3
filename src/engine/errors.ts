/**
 * Errors that end a command with a clear line: `InputError` is bad input or usage —
 * what, where, what to do. The commands map it to its exit code (src/commands/exit.ts).
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * The input was read and checked, and the check failed (a broken hash chain, a signature
 * that does not verify): the command's answer is "no" (exit 1), not "bad input" (exit 2).
 */
export class CheckFailedError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailedError';
  }
}
