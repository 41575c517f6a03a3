/**
 * `e`: the cell's source in the operator's own editor. Ink's raw mode is released while
 * the editor owns the terminal, and the process waits (synchronously, like `git commit`)
 * so no key meant for the editor reaches the console. What is saved is what runs; an
 * unchanged or empty file cancels the edit.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultEditor, shellArgument } from '../../engine/process/os-defaults.js';
import type { Lang } from '../../engine/runbook.js';

const EXTENSION: Record<Lang, string> = { sql: 'sql', powershell: 'ps1', sh: 'sh' };

export interface EditOptions {
  env?: NodeJS.ProcessEnv;
  /** A name for the temp file, so the editor's title says which cell this is. */
  name?: string;
  /** Called around the editor: hand the terminal over and take it back. */
  suspend?: () => void;
  resume?: () => void;
}

/** `$VISUAL`, else `$EDITOR`, else `vi` (`notepad` on Windows); may carry arguments (`code --wait`). */
export function editorCommand(env: NodeJS.ProcessEnv = process.env): string {
  return defaultEditor(env);
}

/** The edited source, or undefined when the file came back unchanged or empty. */
export function editSource(source: string, lang: Lang, options: EditOptions = {}): string | undefined {
  const env = options.env ?? process.env;
  const dir = mkdtempSync(join(tmpdir(), 'runbook-edit-'));
  const file = join(dir, `${(options.name ?? 'cell').replace(/[^\w.-]/g, '_')}.${EXTENSION[lang]}`);
  writeFileSync(file, source.endsWith('\n') ? source : `${source}\n`);
  options.suspend?.();
  try {
    const result = spawnSync(`${editorCommand(env)} ${shellArgument(file)}`, { shell: true, stdio: 'inherit', env });
    if (result.error || result.status !== 0) return undefined;
    const edited = readFileSync(file, 'utf8').replace(/\s+$/, '');
    if (edited.trim() === '' || edited === source.replace(/\s+$/, '')) return undefined;
    return edited;
  } finally {
    options.resume?.();
    rmSync(dir, { recursive: true, force: true });
  }
}
