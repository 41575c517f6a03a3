/**
 * The one question before the sandbox runs a seed that reaches outside its database
 * (`COPY … TO PROGRAM`, `lo_export`, `dblink`…) whose content was never confirmed: which
 * file, how big, its sha256, and each such statement, then `[y/N]` on the terminal. The
 * sandbox remembers the confirmed sha256, so the same seed is not asked about again.
 * `--trust-seed` confirms without asking; with no terminal to ask on (a pipe, CI=true) an
 * unconfirmed seed is refused with one line (exit 2) and nothing starts.
 */
import { createInterface } from 'node:readline';
import { InputError } from '../engine/errors.js';
import type { SeedReview } from '../engine/sandbox/seed-review.js';
import { showControls } from '../renderers/text/visible.js';

export type SeedConfirmer = (review: SeedReview) => Promise<boolean>;

export function seedConfirmer(flags: { trustSeed?: boolean }, env: NodeJS.ProcessEnv = process.env): SeedConfirmer {
  return async (review) => {
    if (flags.trustSeed) {
      process.stderr.write(`runbook: --trust-seed: running the sandbox seed ${showControls(review.file)} (sha256 ${review.sha256}), which reaches outside the database\n`);
      return true;
    }
    if (!canAsk(env)) {
      const { seedRefusal } = await import('../engine/sandbox.js');
      throw new InputError(seedRefusal(review));
    }
    process.stderr.write(describe(review));
    return yes(await question('Run this seed? It is asked once for this content. [y/N] '));
  };
}

/** A person at a terminal can answer: stdin and stderr are terminals, and this is not CI. */
function canAsk(env: NodeJS.ProcessEnv): boolean {
  const ci = (env.CI ?? '').trim().toLowerCase();
  return process.stdin.isTTY === true && process.stderr.isTTY === true && (ci === '' || ci === '0' || ci === 'false');
}

/** The review as the operator reads it; a hostile seed's escapes are shown, never obeyed. */
export function describe(review: SeedReview): string {
  const lines = [
    `The sandbox seed ${review.file} runs as the sandbox's superuser, and reaches outside the database:`,
    `  file    ${review.file}`,
    `  size    ${review.bytes} bytes, ${review.statements} statement${review.statements === 1 ? '' : 's'}`,
    `  sha256  ${review.sha256}`,
    `  these reach outside the database (read the whole file before you answer):`,
    ...review.reaches.map((reach) => `  line ${reach.line}: ${reach.statement}\n           ⚠ ${reach.why}`),
    '',
  ];
  return `${showControls(lines.join('\n'))}\n`;
}

function question(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
    let answered = false;
    process.stderr.write(prompt);
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    // End of input is a no.
    rl.once('close', () => {
      if (!answered) resolve('');
    });
  });
}

function yes(answer: string): boolean {
  return /^\s*y(es)?\s*$/i.test(answer);
}
