/**
 * Keeps the shell executor's one bash session: starts it on first use, replaces it when
 * it died or when a cell needs environment entries only a new session can pass on, and
 * runs a job there again, once, when the session died before the cell could start.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BashSession, type SessionCell } from './bash-session.js';
import type { TreeOutcome } from '../../process/process-tree.js';
import { selfRegistration } from '../../process/reaper.js';
import { removeFile } from '../../process/scratch.js';
import { jobScript, passThroughKey, SESSION_SCRIPT, spareCellScript, spareFileScript, spareScript, useSpare, type Job } from '../../process/session-protocol.js';

export class SessionKeeper {
  private session: BashSession | undefined;

  /** `spareDefinitions`: the wrapper's definitions (shWrapperDefinitions), which a spare makes as it starts. */
  constructor(
    private readonly workDir: () => string,
    private readonly graceMs: number,
    private readonly spareDefinitions: () => string,
  ) {}

  /**
   * `wrapper`: writes the wrapper file a job execs bash on, or gives the wrapper's body for a spare
   * to run (session-protocol.ts spareCellScript): only the one the cell uses is made.
   */
  async run(job: Omit<Job, 'sessionEnv' | 'claimFile' | 'deadMark'>, cell: Omit<SessionCell, 'jobText' | 'claimFile' | 'spareText'>, wrapper: { write(): void; spareText(): string }): Promise<TreeOutcome> {
    const passThrough = passThroughKey(job.env);
    const registration = selfRegistration();
    const claimFile = registration.path;
    let outcome: TreeOutcome = {};
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const session = this.sessionFor(job, passThrough);
        // A retry's claim may be left from the lost attempt; a first claim's name is new.
        if (attempt > 0) removeFile(claimFile);
        // Over the session's pipe, never a file: the job exports the cell's environment, secrets included.
        const full = { ...job, sessionEnv: session.startEnv, claimFile, deadMark: registration.deadMark };
        const jobText = () => {
          wrapper.write();
          return jobScript(full);
        };
        const spareText = useSpare(job.env, session.startEnv) ? () => spareCellScript(full, wrapper.spareText()) : undefined;
        outcome = await session.run({ ...cell, jobText, claimFile, ...(spareText !== undefined ? { spareText } : {}) });
        if (!outcome.sessionLostBeforeStart) break;
      }
    } finally {
      // A cell that ran in a spare never made this claim (the spare has its own): a missing file's
      // removal throws inside Node, which cost ~0.1 ms a cell.
      if (existsSync(claimFile)) removeFile(claimFile);
    }
    return outcome;
  }

  close(): void {
    this.session?.close(this.graceMs);
    this.session = undefined;
  }

  private sessionFor(job: Omit<Job, 'sessionEnv' | 'claimFile' | 'deadMark'>, passThrough: string): BashSession {
    if (this.session?.alive && this.session.passThrough === passThrough) return this.session;
    this.session?.close(this.graceMs);
    const script = join(this.workDir(), 'session.sh');
    writeFileSync(script, SESSION_SCRIPT);
    // The session's own cwd does not matter (each job changes directory): the work dir always exists.
    const session = new BashSession(job.program, script, job.env, this.workDir(), passThrough);
    if (useSpare(session.startEnv, session.startEnv)) {
      const spareFile = join(this.workDir(), 'spare.sh');
      writeFileSync(spareFile, spareFileScript(this.spareDefinitions()));
      session.spares = () => {
        const registration = selfRegistration();
        return { jobText: spareScript({ program: job.program, claimFile: registration.path, deadMark: registration.deadMark }, spareFile), claimFile: registration.path };
      };
    }
    this.session = session;
    return session;
  }
}
