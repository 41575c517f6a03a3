/**
 * sh cells (sh, bash, shell, zsh, fish fences): run by bash (else sh) in one session per
 * interpreter, or by the program the tag or `interpreter=` names; a value reaches the
 * shell as data (`"${RUNBOOK_VAR_NAME}"`, sh/placeholders.ts); Runme's background,
 * interactive and promptEnv apply. The binder and executor are imported on first use.
 */
import { shellRegions } from '../../markdown/shell-lexer.js';
import { shellValues, VALUE_PREFIX } from '../../placeholders/names.js';
import { defaultInterpreterName } from '../default-interpreter.js';
import type { CellLanguage } from '../cell-language.js';
import { createShellExecutorFor, shellEffect, shellExecutorKey } from '../shell-common.js';
import { shEnvRefs } from './references.js';
import { bindSh } from './placeholders.js';

/** Tags whose shell is not bash: the cell runs in that program (skipped with the reason where it is missing). */
const OWN_SHELL: Record<string, string> = { zsh: 'zsh', fish: 'fish' };

/** The program a tag such as `zsh` or `fish` names, when it is not the family's default. */
export function shellOfTag(tag: string): string | undefined {
  const lower = tag.toLowerCase();
  return Object.hasOwn(OWN_SHELL, lower) ? OWN_SHELL[lower] : undefined;
}

export const shLanguage: CellLanguage = {
  lang: 'sh',
  aliases: ['sh', 'bash', 'shell', 'shellscript', 'zsh', 'fish'],
  title: 'sh',
  runsIn: 'shell',
  entry: { continues: '\\' },
  lineComment: '#',
  // Shell fences hold PowerShell sessions too in real documents.
  consoleDialects: ['sh', 'powershell'],
  runme: true,
  parsedInSession: false,

  regions: (source) => shellRegions(source, 'sh'),
  envRefs: shEnvRefs,

  defaults(tag, frontmatter) {
    const interpreter = shellOfTag(tag) ?? frontmatter.shell;
    return { ...(interpreter !== undefined ? { interpreter } : {}), ...(frontmatter.cwd !== undefined ? { cwd: frontmatter.cwd } : {}) };
  },

  defaultInterpreter(path) {
    return { named: defaultInterpreterName('sh', path), missing: 'neither bash nor sh is on PATH' };
  },

  effect: async (cell) => shellEffect(cell, 'sh'),

  async bind({ source, names, values, prompted = [] }) {
    if (prompted.length === 0) return this.bindParsed(source, names, values);
    // Prompted exports (promptEnv): each `export NAME=…` the plan asks for takes `${RUNBOOK_VAR_NAME}`, then the
    // placeholders are bound as always. The exports are rewritten first, on the source as written, and put no `<` into it.
    const withValues = prompted.filter((name) => values[name] !== undefined);
    const { bindExportPrompts } = await import('./prompt-env.js');
    const rewritten = await bindExportPrompts(source, withValues, (name) => `${VALUE_PREFIX}${name}`);
    const bound = this.bindParsed(rewritten, names, values, undefined, withValues);
    for (const name of withValues) bound.env[`${VALUE_PREFIX}${name}`] = values[name]!;
    return bound;
  },

  bindParsed(source, names, values, _parsed, reserved = []) {
    const { envName, env } = shellValues(names, values, reserved);
    return { source: bindSh(source, names, { envName, valueOf: (name) => env[envName(name)]! }), env };
  },

  async lint(cell) {
    return (await import('./lint.js')).lintShCell(cell);
  },

  executorKey: (interpreter) => shellExecutorKey('sh', interpreter),
  createExecutor: (interpreter, target) => createShellExecutorFor('sh', interpreter, target),
};
