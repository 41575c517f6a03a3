/**
 * `mkdir -p`, one level at a time. Not `mkdirSync(path, { recursive: true })`: on Node 20
 * that call never returns for a path under /proc (`--transcript /proc/x/run.jsonl` hung the
 * run for good, spinning in the kernel), where a plain mkdir fails at once with ENOENT.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** Creates `dir` and the missing directories above it; resolves the first one it made (as the recursive call does), or undefined. */
export function makeDirs(dir: string, mode?: number): string | undefined {
  const missing: string[] = [];
  for (let at = dir; !existsSync(at) && dirname(at) !== at; at = dirname(at)) missing.unshift(at);
  let first: string | undefined;
  for (const level of missing) {
    try {
      mkdirSync(level, mode === undefined ? undefined : { mode });
      first ??= level;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return first;
}
