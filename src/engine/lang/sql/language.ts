/**
 * SQL cells: they run in the target database's own session (lang/sql/executor.ts), their
 * effect is read from PostgreSQL's parse tree and the target's catalogue, and a value is
 * bound as a quoted literal. The parser, the catalogue and pg are imported on first use.
 */
import { InputError } from '../../errors.js';
import { lineAt } from '../../placeholders/names.js';
import type { CellLanguage } from '../cell-language.js';
import { sqlRegions } from './lexer.js';
import { bindSql, bindSqlLandings } from './placeholders.js';

export const sqlLanguage: CellLanguage = {
  lang: 'sql',
  aliases: ['sql', 'postgres', 'postgresql'],
  title: 'SQL',
  runsIn: 'database',
  entry: { ends: ';' },
  lineComment: '--',
  consoleDialects: ['psql'],
  runme: false,
  parsedInSession: false,

  regions: sqlRegions,

  envRefs(source) {
    const found = new Set<string>();
    for (const region of sqlRegions(source)) {
      if (region.kind !== 'code') continue;
      // `$name$` opens a dollar quote and `$1` is a parameter: neither is the environment.
      for (const match of source.slice(region.start, region.end).matchAll(/\$([A-Za-z_]\w*)(?![\w$])/g)) found.add(match[1]!);
    }
    return [...found];
  },

  // The database session has no working directory and no interpreter.
  defaults: () => ({}),

  async effect(cell, source, catalogue) {
    if (cell.attributes.readonly === true) {
      // The attribute never relaxes: a cell that would leave its READ ONLY transaction is the write it is, and refused.
      const { readonlyBreach, readonlyMessage } = await import('./readonly.js');
      const breach = await readonlyBreach(source);
      if (breach) return { effect: 'write', because: `readonly attribute refused: ${breach.what}`, refused: readonlyMessage(breach) };
      // Nor does it hold over a call that acts before READ ONLY refuses anything (a view or aggregate that ends sessions).
      const { escapesReadOnly } = await import('./effects.js');
      const escape = catalogue ? await escapesReadOnly(source, catalogue) : undefined;
      if (escape) return { effect: 'write', because: `readonly attribute does not hold: ${escape}` };
      return { effect: 'read', because: 'readonly attribute' };
    }
    const { explainSql } = await import('./effects.js');
    const { effect, reason } = await explainSql(source, catalogue);
    return { effect, because: reason };
  },

  async widenCatalogue(catalogue, url, source) {
    return (await import('./catalogue.js')).widenCatalogue(catalogue, url, source);
  },

  async bind({ source, names, values }) {
    // No placeholder, nothing to bind or check: most cells, and no module lookups for them.
    if (names.length === 0) return { source, env: {} };
    const { reparsedCalls, reparsedMessage, reparsedPlaceholders } = await import('./reparsed.js');
    // The parse tree sees a query argument built by concatenation or a quoted function name; the lexical check in bindSql does not.
    const found = reparsedPlaceholders(source, names)[0] ?? (await reparsedCalls(source, names))[0];
    if (found) throw new InputError(reparsedMessage(found, lineAt(source, found.offset)));
    // PostgreSQL's own scanner, not the binder's lexer, has the last word on where each value landed.
    const bound = bindSqlLandings(source, names, values);
    const { checkLandings } = await import('./landings.js');
    await checkLandings(bound.text, bound.landings, source);
    return { source: bound.text, env: {} };
  },

  bindParsed: (source, names, values) => ({ source: bindSql(source, names, values), env: {} }),

  async lint(cell, lines) {
    return (await import('./lint.js')).lintSqlCell(cell, lines);
  },

  executorKey: () => 'sql',

  async createExecutor(_interpreter, target) {
    if (!target.url) throw new Error('a SQL cell needs a database target, and none was resolved');
    const { createSqlExecutor } = await import('./executor.js');
    return createSqlExecutor({ url: target.url, applicationName: 'runbook' });
  },
};
