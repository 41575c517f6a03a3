/**
 * PowerShell cells (powershell, pwsh, ps1 fences): run in one pwsh session per run, by
 * PowerShell's own rules; PowerShell's own parser in that session binds their values
 * (`${env:RUNBOOK_VAR_NAME}`) and names the programs they call (commands needed). The
 * session and its host script are imported on first use.
 */
import { InputError } from '../../errors.js';
import { shellRegions } from '../../markdown/shell-lexer.js';
import { shellValues } from '../../placeholders/names.js';
import { defaultInterpreterName } from '../default-interpreter.js';
import type { CellLanguage } from '../cell-language.js';
import { createShellExecutorFor, shellEffect, shellExecutorKey } from '../shell-common.js';
import { bindPowerShell, placeholderOccurrences } from './placeholders.js';
import { powershellEnvRefs } from './references.js';

function noParser(names: readonly string[]): never {
  throw new InputError(`binding <${names[0]}> in a PowerShell cell needs PowerShell's parser: install pwsh (PowerShell 7), see the README`);
}

export const powershellLanguage: CellLanguage = {
  lang: 'powershell',
  aliases: ['powershell', 'pwsh', 'ps1'],
  title: 'PowerShell',
  runsIn: 'shell',
  entry: { continues: '`' },
  lineComment: '#',
  // PowerShell fences hold sh sessions too in real documents.
  consoleDialects: ['powershell', 'sh'],
  runme: false,
  parsedInSession: true,

  regions: (source) => shellRegions(source, 'powershell'),
  envRefs: powershellEnvRefs,

  defaults(_tag, frontmatter) {
    return {
      ...(frontmatter.cwd !== undefined ? { cwd: frontmatter.cwd } : {}),
      ...(frontmatter.errorAction !== undefined ? { errorAction: frontmatter.errorAction } : {}),
    };
  },

  defaultInterpreter(path) {
    const named = defaultInterpreterName('powershell', path);
    return { named, missing: `${named} is not on PATH` };
  },

  effect: async (cell) => shellEffect(cell, 'powershell'),

  async bind({ source, names, values, parser }) {
    if (names.length === 0) return this.bindParsed(source, names, values);
    if (!parser) noParser(names);
    const report = await parser.parse(source, placeholderOccurrences(source, names).map((o) => o.at));
    return this.bindParsed(source, names, values, report);
  },

  bindParsed(source, names, values, parsed) {
    const { envName, env } = shellValues(names, values);
    if (names.length === 0) return { source, env };
    return { source: bindPowerShell(source, names, envName, parsed ?? noParser(names)), env };
  },

  async lintRunbook(runbook, named) {
    return (await import('./lint.js')).environmentAsVariable(runbook, named);
  },

  async commandsNeeded(input) {
    return (await import('./commands-needed.js')).commandsNeeded(input);
  },
  executorKey: (interpreter) => shellExecutorKey('powershell', interpreter),
  createExecutor: (interpreter, target) => createShellExecutorFor('powershell', interpreter, target),
};
