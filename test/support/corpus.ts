/**
 * Where the shared public corpora are: beside the integration checkout (../shared/corpus)
 * or, from a worktree under /work/wt/<name>, one level further up. Tests skip without them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function corpusDir(name: 'gitlab-runbooks' | 'runme'): string | undefined {
  const root = join(import.meta.dirname, '..', '..');
  return [join(root, '..', 'shared', 'corpus', name), join(root, '..', '..', 'shared', 'corpus', name)].find((dir) => existsSync(dir));
}
