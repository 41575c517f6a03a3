/**
 * Errors that end a command with a clear line and a chosen exit code.
 * `InputError` is bad input or usage (exit 2): what, where, what to do.
 */
export class InputError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'InputError';
    this.exitCode = exitCode;
  }
}

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  /** Nothing failed, but a selected cell did not run (missing interpreter, cancelled, not reached). */
  incomplete: 3,
  /** SIGHUP: the terminal or SSH connection went away (128 + 1). */
  hangup: 129,
  /** SIGINT or SIGTERM (128 + 2). */
  interrupted: 130,
  /** stdout closed under us, as after a SIGPIPE (128 + 13). */
  stdoutClosed: 141,
} as const;
